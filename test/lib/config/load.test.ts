import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { findConfigInDir, loadConfig } from '../../../src/lib/config/load.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';

let root: string;

beforeEach(async () => {
  // A git repository root bounds the upward search, so nothing outside the temp dir is read.
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-config-')));
  await mkdir(path.join(root, '.git'));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function write(relative: string, content: string): Promise<string> {
  const file = path.join(root, relative);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

async function loadError(options: Parameters<typeof loadConfig>[0]): Promise<UserError> {
  const error = await loadConfig(options).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof UserError) return error;
  throw new Error(`expected a UserError, got ${String(error)}`);
}

describe('loadConfig: file formats', () => {
  it.each([
    ['traefikctl.config.yaml', 'domain: example.com\napps:\n  whoami:\n    port: 8080\n'],
    ['traefikctl.config.yml', 'domain: example.com\napps:\n  whoami:\n    port: 8080\n'],
    ['traefikctl.config.json', JSON.stringify({ domain: 'example.com', apps: { whoami: { port: 8080 } } })],
    ['.traefikctlrc', 'domain: example.com\napps:\n  whoami:\n    port: 8080\n'],
    ['.traefikctlrc.json', JSON.stringify({ domain: 'example.com', apps: { whoami: { port: 8080 } } })],
    [
      'package.json',
      JSON.stringify({
        name: 'shop',
        traefikctl: { domain: 'example.com', apps: { whoami: { port: 8080 } } },
      }),
    ],
    [
      'traefikctl.config.mjs',
      'export default { domain: "example.com", apps: { whoami: { port: 8080 } } };\n',
    ],
    [
      'traefikctl.config.ts',
      'const port: number = 8080;\nexport default { domain: "example.com", apps: { whoami: { port } } };\n',
    ],
  ])('given a %s, when loaded, then its values and path come back', async (name, content) => {
    const file = await write(name, content);

    const loaded = await loadConfig({ cwd: root, env: {} });

    expect(loaded.filepath).toBe(file);
    expect(loaded.dir).toBe(root);
    expect(loaded.config.domain).toBe('example.com');
    expect(loaded.config.apps.whoami?.port).toBe(8080);
  });

  it('given no configuration anywhere up to the git root, when loaded, then defaults come back with no path', async () => {
    await write('../traefikctl.config.yaml.unrelated', 'domain: example.com\n');

    const loaded = await loadConfig({ cwd: root, env: {} });

    expect(loaded.filepath).toBeUndefined();
    expect(loaded.dir).toBe(root);
    expect(loaded.config.environment).toBe('dev');
    expect(loaded.config.apps).toEqual({});
  });

  it('given a package.json without a traefikctl key, when loaded, then it is not taken for a configuration', async () => {
    await write('package.json', JSON.stringify({ name: 'shop' }));

    const loaded = await loadConfig({ cwd: root, env: {} });

    expect(loaded.filepath).toBeUndefined();
  });

  it('given an empty or comments-only file, when loaded, then it is the configuration (defaults), not skipped', async () => {
    await write('traefikctl.config.yaml', '# nothing yet\n');
    await write('sub/.traefikctlrc.yaml', '');

    const nearest = await loadConfig({ cwd: path.join(root, 'sub'), env: {} });
    const top = await loadConfig({ cwd: root, env: {} });

    expect(nearest.filepath).toBe(path.join(root, 'sub', '.traefikctlrc.yaml'));
    expect(top.filepath).toBe(path.join(root, 'traefikctl.config.yaml'));
    expect(top.config.hostTemplate).toBe('{app}-{tag}.{env}.{domain}');
  });

  it('given ${VAR} references, when loaded, then they are filled from the given environment', async () => {
    await write('traefikctl.config.yaml', 'domain: ${DOMAIN}\nregion: ${REGION:-eu-west-1}\n');

    const loaded = await loadConfig({ cwd: root, env: { DOMAIN: 'example.org' } });

    expect(loaded.config.domain).toBe('example.org');
    expect(loaded.config.region).toBe('eu-west-1');
    expect(loaded.interpolated.map((item) => item.path)).toEqual([['domain'], ['region']]);
  });
});

describe('loadConfig: where it looks', () => {
  it('given a configuration at the git root, when loaded from a subdirectory, then it is found and paths are relative to it', async () => {
    const file = await write('traefikctl.config.yaml', 'domain: example.com\n');
    await mkdir(path.join(root, 'services', 'web'), { recursive: true });

    const loaded = await loadConfig({ cwd: path.join(root, 'services', 'web'), env: {} });

    expect(loaded.filepath).toBe(file);
    expect(loaded.dir).toBe(root);
  });

  it('given configurations at two levels, when loaded, then the nearest one wins', async () => {
    await write('traefikctl.config.yaml', 'domain: outer.example.com\n');
    await write('services/web/traefikctl.config.yaml', 'domain: inner.example.com\n');

    const loaded = await loadConfig({ cwd: path.join(root, 'services', 'web'), env: {} });

    expect(loaded.config.domain).toBe('inner.example.com');
  });

  it('given a configuration above the git root, when loaded inside the repository, then it is not used', async () => {
    await write('traefikctl.config.yaml', 'domain: outside.example.com\n');
    await mkdir(path.join(root, 'repo', '.git'), { recursive: true });

    const loaded = await loadConfig({ cwd: path.join(root, 'repo'), env: {} });

    expect(loaded.filepath).toBeUndefined();
  });

  it('given no git repository, when loaded, then the search stops at the home directory', async () => {
    await rm(path.join(root, '.git'), { recursive: true });
    await write('traefikctl.config.yaml', 'domain: above-home.example.com\n');
    await mkdir(path.join(root, 'home', 'me', 'project'), { recursive: true });
    const home = path.join(root, 'home', 'me');

    const beyond = await loadConfig({ cwd: path.join(home, 'project'), env: {}, homeDir: home });
    await write('home/me/traefikctl.config.yaml', 'domain: home.example.com\n');
    const atHome = await loadConfig({ cwd: path.join(home, 'project'), env: {}, homeDir: home });

    expect(beyond.filepath).toBeUndefined();
    expect(atHome.config.domain).toBe('home.example.com');
  });

  it('given an explicit path, when loaded, then that file is used without a search', async () => {
    await write('traefikctl.config.yaml', 'domain: default.example.com\n');
    const other = await write('ci/staging.yaml', 'domain: staging.example.com\n');

    const loaded = await loadConfig({ cwd: root, configPath: 'ci/staging.yaml', env: {} });

    expect(loaded.filepath).toBe(other);
    expect(loaded.dir).toBe(path.join(root, 'ci'));
    expect(loaded.config.domain).toBe('staging.example.com');
  });

  it('given an explicit path that does not exist, when loaded, then the error names it', async () => {
    const error = await loadError({ cwd: root, configPath: 'nope.yaml', env: {} });

    expect(error.message).toBe("Can't find the configuration file nope.yaml.");
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given a configuration file directly in a directory, when looked up there only, then it is found', async () => {
    await write('.traefikctlrc.json', '{}');
    await mkdir(path.join(root, 'sub'));

    expect(await findConfigInDir(root)).toBe(path.join(root, '.traefikctlrc.json'));
    expect(await findConfigInDir(path.join(root, 'sub'))).toBeUndefined();
  });
});

describe('loadConfig: errors name the file as the user sees it', () => {
  it('given a wrong type in a parent directory, when loaded from a subdirectory, then the relative path, line, column and key are named', async () => {
    await write('traefikctl.config.yaml', 'apps:\n  whoami:\n    port: eighty\n');
    await mkdir(path.join(root, 'web'));

    const error = await loadError({ cwd: path.join(root, 'web'), env: {} });

    expect(error.message).toBe(
      '../traefikctl.config.yaml:3:11: apps.whoami.port must be a number between 1 and 65535, found "eighty".',
    );
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given a wrong type in package.json, when loaded, then the key path starts at traefikctl', async () => {
    await write(
      'package.json',
      JSON.stringify({ name: 'shop', traefikctl: { apps: { whoami: { prot: 80 } } } }),
    );

    const error = await loadError({ cwd: root, env: {} });

    // JSON is YAML to the locator: the unknown key's own position, on the one line the file has.
    expect(error.message).toBe(
      'package.json:1:48: unknown key traefikctl.apps.whoami.prot (did you mean port?)',
    );
  });

  it.each([
    [
      'bad indentation',
      'traefikctl.config.yaml',
      'domain: example.com\napps:\n  whoami:\n    port: 80\n   cpu: 256\n',
      /^traefikctl\.config\.yaml:5:1: all mapping items must start at the same column\.$/,
    ],
    [
      'a duplicate key',
      'traefikctl.config.yaml',
      'domain: example.com\ndomain: example.org\n',
      /^traefikctl\.config\.yaml:2:1: map keys must be unique\.$/,
    ],
    [
      'an unclosed quote',
      '.traefikctlrc',
      'domain: "example.com\n',
      /^\.traefikctlrc:2:1: missing closing "quote\.$/,
    ],
    [
      'two YAML documents',
      'traefikctl.config.yml',
      'domain: a.com\n---\ndomain: b.com\n',
      /^traefikctl\.config\.yml:\d+:\d+: the file contains more than one YAML document \(---\)\.$/,
    ],
    [
      'a trailing comma in JSON',
      'traefikctl.config.json',
      '{\n  "domain": "example.com",\n}\n',
      /^traefikctl\.config\.json:3:1: expected double-quoted property name\.$/,
    ],
  ])(
    'given %s, when loaded, then the file, line and column are named',
    async (_name, file, content, message) => {
      await write(file, content);

      const error = await loadError({ cwd: root, env: {} });

      expect(error.message).toMatch(message);
      expect(error.exitCode).toBe(ExitCode.Usage);
      expect(error.code).toBe('CONFIG_SYNTAX');
    },
  );

  it('given a JavaScript configuration that throws, when loaded, then the file and the cause are named', async () => {
    await write('traefikctl.config.mjs', 'throw new Error("DOMAIN is not exported");\n');

    const error = await loadError({ cwd: root, env: {} });

    expect(error.message).toBe("traefikctl.config.mjs: can't load it: DOMAIN is not exported");
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given a missing variable, when loaded, then the file, key path and variable are named', async () => {
    await write('traefikctl.config.yaml', 'traefik:\n  apiUrl: ${TRAEFIK_API_URL}\n');

    const error = await loadError({ cwd: root, env: {} });

    expect(error.message).toBe(
      'traefikctl.config.yaml:2:11: traefik.apiUrl uses ${TRAEFIK_API_URL}, which is not set.',
    );
  });

  it('given a bad name whose value is wrong too, when loaded, then both are named in one run', async () => {
    await write(
      'traefikctl.config.yaml',
      ['apps:', '  Bad_Name:', '    port: 99999', '    environment:', '      bad-var: 5', ''].join('\n'),
    );

    const error = await loadError({ cwd: root, env: {} });

    expect(error.message.split('\n')).toEqual([
      'traefikctl.config.yaml:2:3: the name Bad_Name in apps must be a lowercase name such as whoami.',
      'traefikctl.config.yaml:3:11: apps.Bad_Name.port must be a number between 1 and 65535, found 99999.',
      'traefikctl.config.yaml:5:7: the name bad-var in apps.Bad_Name.environment must be an environment variable name.',
      'traefikctl.config.yaml:5:16: apps.Bad_Name.environment.bad-var must be a string, found 5.',
    ]);
  });

  it('given several mistakes, when loaded, then each names its line and column, in the order of the file', async () => {
    await write(
      'traefikctl.config.yaml',
      [
        'apps:', // 1
        '  whoami:', // 2
        '    port: 80', // 3
        '    memroy: 1024', // 4: an unknown key: its key is named
        '  Bad_Name: {}', // 5: a bad name: the name is named
        'environments:', // 6
        '  staging:', // 7
        '    region: Mars', // 8: a bad value: the value is named
        '    subnets: []', // 9
        '',
      ].join('\n'),
    );

    const error = await loadError({ cwd: root, env: {} });

    expect(error.message.split('\n')).toEqual([
      'traefikctl.config.yaml:4:5: unknown key apps.whoami.memroy (did you mean memory?)',
      'traefikctl.config.yaml:5:3: the name Bad_Name in apps must be a lowercase name such as whoami.',
      'traefikctl.config.yaml:8:13: environments.staging.region must be an AWS region such as eu-west-1, found "Mars".',
      'traefikctl.config.yaml:9:14: environments.staging.subnets must be a non-empty list, found an empty list.',
    ]);
  });
});
