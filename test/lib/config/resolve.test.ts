import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { validateConfig, type LoadedConfig } from '../../../src/lib/config/load.js';
import {
  requireDomain,
  resolveApp,
  resolveContext,
  type GlobalOptions,
  type ResolvedContext,
} from '../../../src/lib/config/resolve.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';

const projectDir = '/work/shop';

/** A loaded configuration as if read from /work/shop/traefikctl.config.yaml (or from no file: `null`). */
function loaded(
  raw: unknown,
  filepath: string | null = `${projectDir}/traefikctl.config.yaml`,
): LoadedConfig {
  const { config, interpolated } = validateConfig(raw, { file: 'traefikctl.config.yaml', env: {} });
  return { config, filepath: filepath ?? undefined, dir: projectDir, interpolated };
}

function failure(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

async function failureOf(run: () => Promise<unknown>): Promise<UserError> {
  const error = await run().then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (error instanceof UserError) return error;
  throw new Error(`expected a UserError, got ${String(error)}`);
}

const layered = {
  region: 'eu-west-1',
  profile: 'base',
  domain: 'example.com',
  environment: 'dev',
  environments: {
    dev: {},
    prod: { region: 'us-east-1', profile: 'prod-admin', domain: 'prod.example.com', cluster: 'shop-prod' },
  },
};

describe('resolveContext: precedence', () => {
  it.each<[string, unknown, GlobalOptions, Partial<ResolvedContext>]>([
    [
      'the default environment and top-level keys',
      layered,
      {},
      { env: 'dev', region: 'eu-west-1', profile: 'base', domain: 'example.com', cluster: 'traefikctl-dev' },
    ],
    [
      'an environment that overrides every top-level key',
      layered,
      { env: 'prod' },
      {
        env: 'prod',
        region: 'us-east-1',
        profile: 'prod-admin',
        domain: 'prod.example.com',
        cluster: 'shop-prod',
      },
    ],
    [
      'flags (or their environment variables) over the environment block',
      layered,
      { env: 'prod', region: 'ap-south-1', profile: 'ci' },
      { env: 'prod', region: 'ap-south-1', profile: 'ci', domain: 'prod.example.com', cluster: 'shop-prod' },
    ],
    [
      'an empty configuration',
      {},
      {},
      { env: 'dev', region: undefined, profile: undefined, domain: undefined, cluster: 'traefikctl-dev' },
    ],
    [
      'any environment name when none is declared',
      { domain: 'example.com' },
      { env: 'pr-42' },
      { env: 'pr-42', domain: 'example.com', cluster: 'traefikctl-pr-42', environment: {} },
    ],
    [
      'the default environment named in the file',
      { environment: 'staging' },
      {},
      { env: 'staging', cluster: 'traefikctl-staging' },
    ],
  ])('given %s, when resolved, then each value comes from the right layer', (_name, raw, flags, expected) => {
    const ctx = resolveContext(loaded(raw), flags);

    expect(ctx).toMatchObject(expected);
  });

  it('given a full configuration, when resolved, then the shared settings are passed through', () => {
    const ctx = resolveContext(
      loaded({
        ...layered,
        hostTemplate: '{tag}.{app}.{domain}',
        registry: '127.0.0.1:5000',
        apps: { web: {} },
      }),
      { env: 'prod' },
    );

    expect(ctx.hostTemplate).toBe('{tag}.{app}.{domain}');
    expect(ctx.registry).toBe('127.0.0.1:5000');
    expect(ctx.environment).toEqual(layered.environments.prod);
    expect(ctx.traefik.image).toBe('traefik:v3.7');
    expect(Object.keys(ctx.apps)).toEqual(['web']);
    expect(ctx.configPath).toBe(`${projectDir}/traefikctl.config.yaml`);
    expect(ctx.configDir).toBe(projectDir);
  });
});

describe('resolveContext: shell variables over the file', () => {
  const raw = { region: 'eu-west-1', profile: 'dev-admin', environments: { prod: { region: 'us-east-1' } } };

  it('given AWS_REGION that disagrees with the env in the file, when resolved, then it wins and is reported', () => {
    const context = resolveContext(loaded(raw), {
      env: 'prod',
      region: 'eu-central-1',
      fromEnvironment: { region: true },
    });
    expect(context.region).toBe('eu-central-1');
    expect(context.overrides).toEqual([
      expect.objectContaining({
        setting: 'region',
        variable: 'AWS_REGION',
        value: 'eu-central-1',
        written: 'us-east-1',
        key: 'environments.prod.region',
        message:
          "AWS_REGION=eu-central-1 in your shell overrides environments.prod.region: us-east-1 of traefikctl.config.yaml. Unset it, or pass --region us-east-1, to use the configuration's.",
      }),
    ]);
  });

  it('given AWS_PROFILE that disagrees with the top-level profile, when resolved, then the key is named', () => {
    const context = resolveContext(loaded(raw), {
      env: 'prod',
      profile: 'other',
      fromEnvironment: { profile: true },
    });
    expect(context.overrides.map((o) => [o.variable, o.key, o.written])).toEqual([
      ['AWS_PROFILE', 'profile', 'dev-admin'],
    ]);
  });

  it('reports nothing for a typed --region, a variable that agrees, or a file that says nothing', () => {
    expect(resolveContext(loaded(raw), { env: 'prod', region: 'eu-central-1' }).overrides).toEqual([]);
    expect(
      resolveContext(loaded(raw), { env: 'prod', region: 'us-east-1', fromEnvironment: { region: true } })
        .overrides,
    ).toEqual([]);
    expect(
      resolveContext(loaded({}), { region: 'eu-central-1', fromEnvironment: { region: true } }).overrides,
    ).toEqual([]);
  });
});

describe('resolveContext: environments that do not exist', () => {
  it('given a mistyped --env, when resolved, then the known environments and the likely one are named', () => {
    const error = failure(() => resolveContext(loaded(layered), { env: 'prdo' }));

    expect(error.message).toBe(
      'The environment "prdo" is not declared in traefikctl.config.yaml (known: dev, prod).',
    );
    expect(error.suggestions).toEqual([
      'Did you mean --env prod?',
      'Pass --env dev (or set TRAEFIKCTL_ENV), or add environments.prdo to traefikctl.config.yaml.',
    ]);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given a default environment that is not declared, when resolved without --env, then the key is named', () => {
    const error = failure(() => resolveContext(loaded({ environment: 'qa', environments: { dev: {} } })));

    expect(error.message).toBe(
      'traefikctl.config.yaml: environment is "qa", which is not declared under environments (known: dev).',
    );
  });

  it('given an environment name that cannot name a cluster, when resolved, then it is refused', () => {
    const error = failure(() => resolveContext(loaded({}), { env: 'Prod!' }));

    expect(error.message).toBe(
      'The environment name "Prod!" is not valid: it must be a short lowercase name such as dev or staging (letters, digits and inner dashes, starting with a letter, 20 characters at most).',
    );
    expect(error.exitCode).toBe(ExitCode.Usage);
  });
});

describe('requireDomain', () => {
  it('given a domain, when required, then it is returned', () => {
    expect(requireDomain(resolveContext(loaded(layered), { env: 'prod' }))).toBe('prod.example.com');
  });

  it('given a configuration file without a domain, when required, then the fix names the file and the key', () => {
    const error = failure(() => requireDomain(resolveContext(loaded({}), { env: 'dev' })));

    expect(error.message).toBe('No domain is set for the environment "dev": hostnames need one.');
    expect(error.suggestions).toEqual([
      'Add `domain: example.com` to traefikctl.config.yaml, or environments.dev.domain for this environment only.',
    ]);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given no configuration file at all, when required, then the fix is traefikctl init', () => {
    const error = failure(() => requireDomain(resolveContext(loaded({}, null))));

    expect(error.suggestions).toEqual([
      'Run `traefikctl init --domain example.com` to write a configuration with your domain.',
    ]);
  });
});

describe('resolveApp', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await realpath(await mkdtemp(path.join(tmpdir(), 'traefikctl-resolve-')));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('given a declared app, when named, then its settings come back', async () => {
    const ctx = resolveContext(loaded({ apps: { web: { port: 3000 }, api: {} } }));

    const app = await resolveApp(ctx, 'web', dir);

    expect(app).toMatchObject({ name: 'web', declared: true, app: { port: 3000 } });
  });

  it('given one declared app, when none is named, then it is the one', async () => {
    const ctx = resolveContext(loaded({ apps: { web: { port: 3000 } } }));

    expect(await resolveApp(ctx, undefined, dir)).toMatchObject({ name: 'web', app: { port: 3000 } });
  });

  it('given an app that is not declared, when named, then the declared apps and the likely one are named', async () => {
    const ctx = resolveContext(loaded({ apps: { web: {}, api: {} } }));

    const error = await failureOf(() => resolveApp(ctx, 'wbe', dir));

    // (the configuration is not under the temporary working directory, so its path is absolute)
    expect(error.message).toBe('Unknown app "wbe": /work/shop/traefikctl.config.yaml declares web, api.');
    expect(error.suggestions).toEqual([
      'Did you mean web?',
      'To add it, declare apps.wbe in /work/shop/traefikctl.config.yaml.',
    ]);
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given several declared apps, when none is named, then the user is asked to name one', async () => {
    const ctx = resolveContext(loaded({ apps: { web: {}, api: {} } }));

    const error = await failureOf(() => resolveApp(ctx, undefined, dir));

    expect(error.message).toBe(
      'Several apps are declared in /work/shop/traefikctl.config.yaml (web, api); name the one to use.',
    );
  });

  it('given no declared apps and a package.json, when none is named, then the package name (unscoped) is used with defaults', async () => {
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: '@acme/Web_Shop' }));
    const ctx = resolveContext(loaded({}));

    const app = await resolveApp(ctx, undefined, dir);

    expect(app).toMatchObject({ name: 'web-shop', declared: false, app: { port: 80, cpu: 256 } });
  });

  it('given no declared apps and no package.json, when none is named, then the directory name is used', async () => {
    const project = path.join(dir, 'Billing Service');
    await mkdir(project);
    const ctx = resolveContext(loaded({}));

    expect((await resolveApp(ctx, undefined, project)).name).toBe('billing-service');
  });

  it('given no declared apps and a directory name that is no app name, when none is named, then the user is asked for one', async () => {
    const project = path.join(dir, '2024');
    await mkdir(project);
    const ctx = resolveContext(loaded({}));

    const error = await failureOf(() => resolveApp(ctx, undefined, project));

    expect(error.code).toBe('APP_MISSING');
    expect(error.exitCode).toBe(ExitCode.Usage);
  });

  it('given no declared apps, when an app is named, then it runs on default settings; an invalid name is refused', async () => {
    const ctx = resolveContext(loaded({}));

    expect(await resolveApp(ctx, 'whoami', dir)).toMatchObject({
      name: 'whoami',
      declared: false,
      app: { port: 80 },
    });
    expect((await failureOf(() => resolveApp(ctx, 'Who_Am_I', dir))).code).toBe('APP_INVALID');
  });
});

describe('resolveContext: the local target', () => {
  it('given no configuration at all, when --env local is resolved, then it is the docker target under localhost on 8080', () => {
    const ctx = resolveContext(loaded({}), { env: 'local' });

    expect(ctx).toMatchObject({
      env: 'local',
      target: 'docker',
      localPort: 8080,
      domain: 'localhost',
      cluster: 'traefikctl-local',
    });
  });

  it('given declared cloud envs and a top-level domain, when --env local is resolved, then it still exists and keeps localhost', () => {
    const ctx = resolveContext(loaded(layered), { env: 'local' });

    expect(ctx).toMatchObject({ env: 'local', target: 'docker', domain: 'localhost' });
    // and the cloud envs are untouched
    expect(resolveContext(loaded(layered), { env: 'prod' })).toMatchObject({ target: 'ecs' });
  });

  it('given environments.<env>.target docker with a port and a network name, when resolved, then those are used', () => {
    const raw = {
      domain: 'example.com',
      environments: { laptop: { target: 'docker', port: 9090, cluster: 'my-net' } },
    };

    const ctx = resolveContext(loaded(raw), { env: 'laptop' });

    expect(ctx).toMatchObject({
      target: 'docker',
      localPort: 9090,
      domain: 'localhost',
      cluster: 'my-net',
    });
  });

  it('given a declared environments.local, when resolved, then its settings win over the built-in ones', () => {
    const ctx = resolveContext(loaded({ environments: { local: { port: 8181 } } }), { env: 'local' });

    expect(ctx).toMatchObject({ target: 'docker', localPort: 8181, domain: 'localhost' });
  });

  it('given a bad target or port, when loaded, then the configuration is refused', () => {
    expect(() => loaded({ environments: { dev: { target: 'kubernetes' } } })).toThrow();
    expect(() => loaded({ environments: { dev: { target: 'docker', port: 70000 } } })).toThrow();
  });
});
