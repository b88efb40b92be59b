/**
 * loadConfig against files it must not read whole or take as they are (issue 14): a configuration
 * file of many megabytes, and a Traefik API URL with a user name and password in it.
 */
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig, MAX_CONFIG_BYTES } from '../../../src/lib/config/load.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';

let root: string;

beforeEach(async () => {
  // A git repository root bounds the upward search, so nothing outside the temp dir is read.
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-config-limits-')));
  await mkdir(path.join(root, '.git'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<UserError> {
  const error = await loadConfig(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof UserError) return error;
  throw new Error(`expected a UserError, got ${String(error)}`);
}

/** A valid YAML configuration of at least `bytes` bytes: apps, each a few lines. */
function largeConfig(bytes: number): string {
  const lines = ['domain: example.com', 'apps:'];
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const app = `  app${i}:\n    port: 80\n    environment:\n      GREETING: "hello from app ${i}"`;
    lines.push(app);
    size += app.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

describe('loadConfig: size', () => {
  it('refuses a configuration file over the limit at once, naming the limit', async () => {
    // given a valid configuration just over 1 MiB, found by the search
    await writeFile(path.join(root, 'traefikctl.config.yaml'), largeConfig(MAX_CONFIG_BYTES + 1));
    // when it is loaded
    const started = Date.now();
    const error = await loadError({ cwd: root, env: {} });
    // then it is a usage error that says how large it is and what the limit is, without parsing it
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('CONFIG_TOO_LARGE');
    expect(error.message).toBe(
      'traefikctl.config.yaml is 1.0 MiB: traefikctl reads configuration files of at most 1 MiB.',
    );
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('refuses a file given with --config by its size, before reading it', async () => {
    // given a 51 MB file named as the configuration (sparse: its size is all there is to it)
    const file = path.join(root, 'dump.yaml');
    await writeFile(file, '');
    const { truncate } = await import('node:fs/promises');
    await truncate(file, 51 * 1024 * 1024);
    // when it is loaded
    const error = await loadError({ cwd: root, configPath: 'dump.yaml', env: {} });
    // then it is refused by its size
    expect(error.code).toBe('CONFIG_TOO_LARGE');
    expect(error.message).toBe(
      'dump.yaml is 51.0 MiB: traefikctl reads configuration files of at most 1 MiB.',
    );
  });

  it('still reads a configuration just under the limit', async () => {
    await writeFile(path.join(root, 'traefikctl.config.yaml'), largeConfig(MAX_CONFIG_BYTES - 200));
    const loaded = await loadConfig({ cwd: root, env: {} });
    expect(Object.keys(loaded.config.apps).length).toBeGreaterThan(1000);
  });
});

describe('loadConfig: credentials in traefik.apiUrl', () => {
  it('refuses a user name and password from ${TRAEFIK_URL}, naming the key and the variable, never the value', async () => {
    // given traefik.apiUrl from a variable that holds a password
    await writeFile(path.join(root, 'traefikctl.config.yaml'), 'traefik:\n  apiUrl: ${TRAEFIK_URL}\n');
    // when it is loaded
    const error = await loadError({
      cwd: root,
      env: { TRAEFIK_URL: 'http://admin:S3cret@127.0.0.1:7100' },
    });
    // then it is a usage error naming the file, the key, the variable and the supported ways
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('CONFIG_URL_CREDENTIALS');
    expect(error.message).toMatch(
      /^traefikctl\.config\.yaml:2:11: traefik\.apiUrl has a user name and password in it \(from \$\{TRAEFIK_URL\}\): /,
    );
    expect(error.suggestions.join('\n')).toContain('TRAEFIKCTL_TRAEFIK_PASSWORD');
    expect(error.suggestions.join('\n')).toContain('traefik.passwordParameter');
    expect(JSON.stringify([error.message, error.suggestions])).not.toContain('S3cret');
  });

  it('never repeats a password written into a URL the schema refuses', async () => {
    await writeFile(
      path.join(root, 'traefikctl.config.yaml'),
      'traefik:\n  apiUrl: ftp://admin:S3cret@traefik.example.com\n',
    );
    const error = await loadError({ cwd: root, env: {} });
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.message).toContain('found "ftp://***@traefik.example.com"');
    expect(error.message).not.toContain('S3cret');
  });
});
