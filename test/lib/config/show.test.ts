import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { configViewToYaml, showConfig } from '../../../src/lib/config/show.js';

let dir: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-show-')));
  await mkdir(path.join(dir, '.git'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('showConfig', () => {
  it('given URLs with a user name and password, when shown, then neither appears in the YAML or the JSON', async () => {
    // given a container variable written with credentials in its URL (the API URL itself is refused)
    await writeFile(
      path.join(dir, 'traefikctl.config.yaml'),
      'apps:\n  whoami:\n    environment:\n      DATABASE_URL: postgres://app:S3cret@db.internal:5432/app\n',
    );
    // when the configuration is shown
    const view = await showConfig({ cwd: dir, env: 'dev', variables: {} });
    // then the URL is there without its credentials
    expect(view.apps.whoami?.environment).toEqual({ DATABASE_URL: 'postgres://***@db.internal:5432/app' });
    expect(`${JSON.stringify(view)}\n${configViewToYaml(view)}`).not.toContain('S3cret');
  });

  it('given variables in container settings, when shown, then environment and build args keep their ${VAR} text and other values are filled in', async () => {
    await writeFile(
      path.join(dir, 'traefikctl.config.yaml'),
      [
        'domain: ${DOMAIN}',
        'apps:',
        '  whoami:',
        '    port: ${PORT}',
        '    environment:',
        '      API_TOKEN: ${API_TOKEN}',
        '      GREETING: hello',
        '    buildArgs:',
        '      NPM_TOKEN: token-${NPM_TOKEN}',
        '',
      ].join('\n'),
    );

    const view = await showConfig({
      cwd: dir,
      env: 'dev',
      variables: { DOMAIN: 'example.com', PORT: '8080', API_TOKEN: 'sk-live-123', NPM_TOKEN: 'npm-456' },
    });
    const text = `${JSON.stringify(view)}\n${configViewToYaml(view)}`;

    expect(view.domain).toBe('example.com');
    expect(view.apps.whoami?.port).toBe(8080);
    expect(view.apps.whoami?.environment).toEqual({ API_TOKEN: '${API_TOKEN}', GREETING: 'hello' });
    expect(view.apps.whoami?.buildArgs).toEqual({ NPM_TOKEN: 'token-${NPM_TOKEN}' });
    expect(text).not.toContain('sk-live-123');
    expect(text).not.toContain('npm-456');
  });

  it('given no configuration, when shown, then the defaults come back with a null path and unset values left out of the YAML', async () => {
    const view = await showConfig({ cwd: dir, env: 'dev', variables: {} });

    expect(view).toMatchObject({
      configPath: null,
      env: 'dev',
      region: null,
      domain: null,
      cluster: 'traefikctl-dev',
    });
    expect(configViewToYaml(view)).toBe(
      [
        'env: dev',
        'cluster: traefikctl-dev',
        'hostTemplate: "{app}-{tag}.{env}.{domain}"',
        'environment: {}',
        'traefik:',
        '  image: traefik:v3.7',
        '  username: admin',
        '  entryPoints:',
        '    - web',
        'apps: {}',
        '',
      ].join('\n'),
    );
  });
});
