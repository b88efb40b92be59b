import { mkdir, mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { loadConfig } from '../../../src/lib/config/load.js';
import { configSchema } from '../../../src/lib/config/schema.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import {
  answerProblem,
  checkAnswers,
  renderConfig,
  suggestAnswers,
  writeConfig,
  type InitAnswers,
} from '../../../src/lib/init/write-config.js';
import { rejection } from '../../support/errors.js';

let dir: string;

beforeEach(async () => {
  dir = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-init-')));
  await mkdir(path.join(dir, '.git'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const answers: InitAnswers = { domain: 'example.com', region: 'eu-west-1', env: 'dev', app: 'whoami' };

/** Comment lines that hold a key or a list item rather than prose: `# profile: x`, `#   - subnet-1`. */
const COMMENTED_OUT = /^(\s*)# ((?:[A-Za-z_][\w-]*:(?: .*)?)|(?:\s*- .*)|(?:\s+[A-Za-z_][\w-]*:(?: .*)?))$/;

describe('writeConfig', () => {
  it('given the answers, when the file is written, then it loads back to exactly those values and the defaults', async () => {
    const written = await writeConfig({ cwd: dir, answers });

    const loaded = await loadConfig({ cwd: dir, env: {} });

    expect(written).toEqual({ filepath: path.join(dir, 'traefikctl.config.yaml'), replaced: false });
    expect(loaded.filepath).toBe(written.filepath);
    expect(loaded.config).toEqual(
      configSchema.parse({
        region: 'eu-west-1',
        domain: 'example.com',
        environment: 'dev',
        environments: { dev: { cluster: 'traefikctl-dev' } },
        apps: { whoami: {} },
      }),
    );
  });

  it('given no region, when the file is written, then region is shown commented out and loads as unset', async () => {
    await writeConfig({ cwd: dir, answers: { ...answers, region: undefined, env: 'staging', app: 'shop' } });

    const text = await readFile(path.join(dir, 'traefikctl.config.yaml'), 'utf8');
    const loaded = await loadConfig({ cwd: dir, env: {} });

    expect(text).toContain('\n# region: eu-west-1\n');
    expect(loaded.config.region).toBeUndefined();
    expect(loaded.config.environment).toBe('staging');
    expect(loaded.config.environments).toEqual({ staging: { cluster: 'traefikctl-staging' } });
    expect(Object.keys(loaded.config.apps)).toEqual(['shop']);
  });

  it('given the written file, when every commented-out key is uncommented, then it still loads and sets them', async () => {
    const text = renderConfig(answers);
    const uncommented = text
      .split('\n')
      .map((line) => line.replace(COMMENTED_OUT, '$1$2'))
      .join('\n');
    await writeFile(path.join(dir, 'traefikctl.config.yaml'), uncommented);

    const { config } = await loadConfig({ cwd: dir, env: {} });

    expect(uncommented).not.toBe(text);
    expect(config.profile).toBe('my-profile');
    expect(config.environments.dev?.subnets).toEqual(['subnet-0abc123']);
    expect(config.environments.dev?.certificateArn).toMatch(/^arn:aws:acm:eu-west-1:/);
    expect(config.apps.whoami?.healthCheck).toEqual({ path: '/health', interval: '10s', timeout: '5s' });
    expect(config.apps.whoami?.secrets).toEqual({ API_TOKEN: '/traefikctl/{env}/apps/whoami/api-token' });
    expect(config.traefik.apiUrl).toBe('https://traefik.dev.example.com');
  });

  it('given the written file, when read, then every key has a one-line comment above it', () => {
    const lines = renderConfig(answers).split('\n');
    const keyLines = lines
      .map((line, index) => ({ line, index }))
      .filter(({ line }) => /^\s*(# )?[A-Za-z_][\w-]*:( |$)/.test(line));

    const undocumented = keyLines.filter(({ index }) => {
      const previous = lines[index - 1] ?? '';
      return !/^\s*# /.test(previous) || COMMENTED_OUT.test(previous);
    });

    expect(keyLines.length).toBeGreaterThan(30);
    expect(undocumented.map(({ line }) => line)).toEqual([]);
  });

  it('given a traefikctl.config.yaml, when written again without force, then it is refused and left untouched', async () => {
    await writeFile(path.join(dir, 'traefikctl.config.yaml'), 'domain: mine.example.com\n');

    const error = await rejection(writeConfig({ cwd: dir, answers }));

    expect(error.message).toBe('traefikctl.config.yaml already exists.');
    expect(error.suggestions).toEqual(['Edit it, or pass --force to replace it with a fresh one.']);
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(await readFile(path.join(dir, 'traefikctl.config.yaml'), 'utf8')).toBe(
      'domain: mine.example.com\n',
    );
  });

  it('given a traefikctl.config.yaml, when written with force, then it is replaced', async () => {
    await writeFile(path.join(dir, 'traefikctl.config.yaml'), 'domain: mine.example.com\n');

    const written = await writeConfig({ cwd: dir, answers, force: true });

    expect(written.replaced).toBe(true);
    expect((await loadConfig({ cwd: dir, env: {} })).config.domain).toBe('example.com');
  });

  it.each([
    ['.traefikctlrc.json', '{}', '.traefikctlrc.json'],
    ['package.json', JSON.stringify({ name: 'shop', traefikctl: {} }), 'package.json (its traefikctl key)'],
  ])(
    'given a %s configuration, when written even with force, then it is refused',
    async (file, content, named) => {
      await writeFile(path.join(dir, file), content);

      const error = await rejection(writeConfig({ cwd: dir, answers, force: true }));

      expect(error.message).toBe(`This directory already has a traefikctl configuration: ${named}.`);
      expect(error.exitCode).toBe(ExitCode.Usage);
    },
  );

  it('given a package.json without a traefikctl key, when written, then the file is written beside it', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop' }));

    const written = await writeConfig({ cwd: dir, answers });

    expect(written.filepath).toBe(path.join(dir, 'traefikctl.config.yaml'));
  });
});

describe('answerProblem', () => {
  it.each([
    ['domain', 'example.com', undefined],
    ['domain', 'Example.COM', 'a lowercase domain such as example.com'],
    ['domain', 'localhost', 'a lowercase domain such as example.com'],
    ['region', 'eu-west-1', undefined],
    ['region', 'Ireland', 'an AWS region such as eu-west-1'],
    ['env', 'staging', undefined],
    ['env', 'Prod', 'a short lowercase name such as dev or staging'],
    ['app', 'whoami', undefined],
    ['app', 'Who_Am_I', 'a lowercase name such as whoami'],
  ] as const)('given %s %j, when checked, then the problem is %j', (field, value, problem) => {
    expect(answerProblem(field, value)).toBe(problem);
  });
});

describe('checkAnswers', () => {
  it('given several bad flags, when checked, then each is named with what it must be', () => {
    let error: unknown;
    try {
      checkAnswers({ domain: 'Example.COM', region: 'eu-west-1', app: 'My App' });
    } catch (thrown) {
      error = thrown;
    }

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message.split('\n')).toEqual([
      '--domain must be a lowercase domain such as example.com, found "Example.COM".',
      '--app must be a lowercase name such as whoami, found "My App".',
    ]);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
  });
});

describe('suggestAnswers', () => {
  it('given flags, when suggested, then the flags win over what the directory says', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'shop' }));

    const suggested = await suggestAnswers(
      dir,
      { domain: 'example.com', region: 'us-east-1', env: 'qa', app: 'web' },
      { AWS_REGION: 'eu-west-1' },
    );

    expect(suggested).toEqual({ domain: 'example.com', region: 'us-east-1', env: 'qa', app: 'web' });
  });

  it('given no flags, when suggested, then region comes from AWS_REGION, app from package.json and env is dev', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/shop' }));

    expect(await suggestAnswers(dir, {}, { AWS_REGION: 'eu-central-1' })).toEqual({
      region: 'eu-central-1',
      env: 'dev',
      app: 'shop',
    });
  });

  it('given no flags, no AWS_REGION and no package.json, when suggested, then the app is the directory name', async () => {
    const project = path.join(dir, 'billing-api');
    await mkdir(project);

    expect(await suggestAnswers(project, {}, {})).toEqual({ env: 'dev', app: 'billing-api' });
  });
});
