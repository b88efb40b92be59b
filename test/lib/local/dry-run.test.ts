import { rm } from 'node:fs/promises';

import { afterEach, describe, expect, it } from 'vitest';

import { resolveDeploySpec, type DeploySpec } from '../../../src/lib/app/deploy/request.js';
import { loadContext } from '../../../src/lib/config/resolve.js';
import { localEnvironment } from '../../../src/lib/env/local.js';
import { traefikLabels } from '../../../src/lib/labels.js';
import {
  localContainerSpec,
  localImageMissing,
  localSecrets,
  localSecretsWarning,
  newContainerName,
  SECRETS_LABEL,
  SPEC_LABEL,
} from '../../../src/lib/local/deploy-spec.js';
import { diffLocalContainer } from '../../../src/lib/local/dry-run.js';
import { project } from '../app/deploy/fakes.js';

const NOW = new Date('2026-03-01T12:00:00.000Z');
const IMAGE = `sha256:${'a'.repeat(64)}`;
const dirs: string[] = [];

afterEach(async () => {
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
});

async function specFor(app: string): Promise<DeploySpec> {
  const cwd = await project(
    [
      'environments:',
      '  laptop:',
      '    target: docker',
      '    port: 8081',
      'apps:',
      '  whoami:',
      '    port: 8080',
      '    environment:',
      '      GREETING: hello',
      '',
    ].join('\n'),
  );
  dirs.push(cwd);
  const context = await loadContext(cwd, { env: 'laptop' });
  return resolveDeploySpec(context, { cwd, global: { env: 'laptop' }, app, tag: 'feature/Login_Page' });
}

describe('localContainerSpec', () => {
  it('given a docker env, when planned, then the labels are the Traefik map of labels.ts plus the state and the spec hash', async () => {
    const target = await specFor('whoami');
    const local = localEnvironment(target.context, {});

    const spec = localContainerSpec(target, local, { image: IMAGE, deployedBy: 'dev@laptop', now: NOW });

    const host = 'whoami-feature-login-page.laptop.localhost';
    expect(spec.url).toBe(`http://${host}:8081`);
    expect(spec.plan.labels).toEqual(
      traefikLabels({
        name: 'whoami-feature-login-page',
        host,
        port: 8080,
        entryPoints: ['web'],
        env: 'laptop',
      }),
    );
    expect(spec.labels).toEqual({ ...spec.plan.labels, ...spec.state, [SPEC_LABEL]: spec.specHash });
    expect(spec.state).toMatchObject({
      'traefikctl.managed': 'true',
      'traefikctl.app': 'whoami',
      'traefikctl.tag': 'feature/Login_Page',
      'traefikctl.image': IMAGE,
      'traefikctl.deployed-at': NOW.toISOString(),
      'traefikctl.deployed-by': 'dev@laptop',
    });
    expect(spec.environment).toEqual({
      APP_TAG: 'feature/Login_Page',
      APP_URL: `http://${host}:8081`,
      GREETING: 'hello',
    });
    expect(spec.specHash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('given the same inputs at another time, the hash is the same; another image or variable changes it', async () => {
    const target = await specFor('whoami');
    const local = localEnvironment(target.context, {});
    const base = localContainerSpec(target, local, { image: IMAGE, deployedBy: 'a', now: NOW });

    const later = localContainerSpec(target, local, { image: IMAGE, deployedBy: 'b', now: new Date() });
    const otherImage = localContainerSpec(target, local, {
      image: `sha256:${'b'.repeat(64)}`,
      deployedBy: 'a',
      now: NOW,
    });
    const otherEnv = localContainerSpec(
      { ...target, appConfig: { ...target.appConfig, environment: { GREETING: 'bye' } } },
      local,
      { image: IMAGE, deployedBy: 'a', now: NOW },
    );

    expect(later.specHash).toBe(base.specHash);
    expect(otherImage.specHash).not.toBe(base.specHash);
    expect(otherEnv.specHash).not.toBe(base.specHash);
  });

  it('given a new memory limit or stop timeout, then the hash changes: the container is replaced, as on ECS', async () => {
    const target = await specFor('whoami');
    const local = localEnvironment(target.context, {});
    const facts = { image: IMAGE, deployedBy: 'a', now: NOW };
    const base = localContainerSpec(target, local, facts);

    const moreMemory = localContainerSpec(
      { ...target, appConfig: { ...target.appConfig, memory: 1024 } },
      local,
      facts,
    );
    const stopTimeout = localContainerSpec(
      { ...target, appConfig: { ...target.appConfig, stopTimeout: '45s' } },
      local,
      facts,
    );

    expect(base.stopTimeout).toBeUndefined();
    expect(stopTimeout.stopTimeout).toBe(45);
    expect(moreMemory.memory).toBe(1024);
    expect(moreMemory.specHash).not.toBe(base.specHash);
    expect(stopTimeout.specHash).not.toBe(base.specHash);
  });

  it('names a new container after the deployment, and says how to build a missing image', async () => {
    const target = await specFor('whoami');

    expect(newContainerName('whoami-v1')).toMatch(/^whoami-v1-[0-9a-f]{6}$/);
    const error = localImageMissing(target, 'laptop');
    expect(error.message).toBe(
      'The local engine has no image whoami:feature-login-page, so there is nothing to deploy at tag feature/Login_Page.',
    );
    expect(error.suggestions[0]).toBe(
      'Build it first: `traefikctl image push whoami --tag feature/Login_Page --env laptop`.',
    );
    expect(error.code).toBe('IMAGE_NOT_FOUND');
  });
});

describe('secrets of a local container', () => {
  const withSecrets = (target: DeploySpec): DeploySpec => ({
    ...target,
    appConfig: {
      ...target.appConfig,
      secrets: { DATABASE_URL: '/whoami/database-url', API_KEY: 'arn:aws:ssm:eu-west-1:1:parameter/k' },
    },
  });

  it('given an app with secrets, when some are set where traefikctl runs, then those are passed and the rest missing', async () => {
    const target = withSecrets(await specFor('whoami'));

    // an empty variable is not set, as elsewhere in traefikctl
    expect(localSecrets(target, { API_KEY: 'k-123', DATABASE_URL: '' })).toEqual({
      values: { API_KEY: 'k-123' },
      missing: ['DATABASE_URL'],
    });
    expect(localSecrets(target, {})).toEqual({ values: {}, missing: ['API_KEY', 'DATABASE_URL'] });
    const warning = localSecretsWarning(target, ['DATABASE_URL']);
    expect(warning?.message).toBe(
      'The secret DATABASE_URL of whoami is not set here: the container starts without it.',
    );
    expect(warning?.hint).toContain('`export DATABASE_URL=...`');
    expect(localSecretsWarning(target, [])).toBeUndefined();
  });

  it('given secret values, then the container gets them, its labels name them only, and a new value is a new spec', async () => {
    const target = withSecrets(await specFor('whoami'));
    const local = localEnvironment(target.context, {});
    const facts = { image: IMAGE, deployedBy: 'a', now: NOW };

    const spec = localContainerSpec(target, local, { ...facts, secrets: { API_KEY: 'k-123' } });
    const rotated = localContainerSpec(target, local, { ...facts, secrets: { API_KEY: 'k-456' } });
    const without = localContainerSpec(target, local, facts);

    expect(spec.secretEnvironment).toEqual({ API_KEY: 'k-123' });
    expect(spec.environment).not.toHaveProperty('API_KEY');
    expect(spec.labels[SECRETS_LABEL]).toBe('API_KEY');
    expect(JSON.stringify(spec.labels)).not.toContain('k-123');
    expect(without.labels).not.toHaveProperty(SECRETS_LABEL);
    expect(rotated.specHash).not.toBe(spec.specHash);
    expect(without.specHash).not.toBe(spec.specHash);
  });

  it('given a running container with a secret, then the diff says whether it changes, never its value', () => {
    const labels = { 'traefik.enable': 'true', [SECRETS_LABEL]: 'API_KEY' };
    const running = {
      image: IMAGE,
      labels,
      environment: { APP_TAG: 'v1', API_KEY: 'k-123' },
      secretNames: ['API_KEY'],
      ownEnvironment: true,
    };

    const same = diffLocalContainer(running, { ...running, secretNames: ['API_KEY'] });
    const rotated = diffLocalContainer(running, {
      ...running,
      environment: { APP_TAG: 'v1', API_KEY: 'k-456' },
    });
    // a secret no longer set where traefikctl runs: the running container's value isn't shown either
    const dropped = diffLocalContainer(running, {
      ...running,
      labels: { 'traefik.enable': 'true' },
      environment: { APP_TAG: 'v1' },
      secretNames: [],
    });

    expect(same.run).toEqual([]);
    expect(rotated.run).toEqual([
      { field: 'env API_KEY', kind: 'changed', before: '(secret)', after: '(secret, new value)' },
    ]);
    expect(dropped.run).toEqual([{ field: 'env API_KEY', kind: 'removed', before: '(secret)' }]);
    expect(JSON.stringify([same, rotated, dropped])).not.toMatch(/k-123|k-456/);
  });
});

describe('diffLocalContainer', () => {
  const labels = {
    'traefik.enable': 'true',
    'traefik.http.services.whoami-v1.loadbalancer.server.port': '80',
    'traefikctl.env': 'dev',
    'traefikctl.deployed-at': '2026-03-01T12:00:00.000Z',
    [SPEC_LABEL]: 'aaaa',
    // The image's own label: never the deploy's.
    'org.opencontainers.image.title': 'whoami',
  };
  const running = {
    image: IMAGE,
    labels,
    environment: { APP_TAG: 'v1', GREETING: 'hello', PATH: '/bin' },
    ownEnvironment: true,
  };

  it('given the same image, labels and variables, then nothing changes to run', () => {
    const planned = {
      image: IMAGE,
      labels: { ...labels, 'traefikctl.deployed-at': '2026-03-02T12:00:00.000Z', [SPEC_LABEL]: 'bbbb' },
      environment: { APP_TAG: 'v1', GREETING: 'hello' },
      ownEnvironment: true,
    };

    const { run, record } = diffLocalContainer(running, planned);

    expect(run).toEqual([]);
    // the spec hash is how the deploy compares, not a change of its own
    expect(record).toEqual([
      {
        field: 'label traefikctl.deployed-at',
        kind: 'changed',
        before: '2026-03-01T12:00:00.000Z',
        after: '2026-03-02T12:00:00.000Z',
      },
    ]);
  });

  it('given a new port, variable and image, then each is a change, and a dropped variable is removed', () => {
    const planned = {
      image: `sha256:${'b'.repeat(64)}`,
      labels: { ...labels, 'traefik.http.services.whoami-v1.loadbalancer.server.port': '8080' },
      environment: { APP_TAG: 'v1', MODE: 'fast' },
      ownEnvironment: true,
    };

    const { run } = diffLocalContainer(running, planned);

    expect(run).toEqual([
      { field: 'image', kind: 'changed', before: IMAGE, after: `sha256:${'b'.repeat(64)}` },
      {
        field: 'label traefik.http.services.whoami-v1.loadbalancer.server.port',
        kind: 'changed',
        before: '80',
        after: '8080',
      },
      { field: 'env MODE', kind: 'added', after: 'fast' },
      { field: 'env GREETING', kind: 'removed', before: 'hello' },
    ]);
  });

  it('given a new memory limit and a stop timeout, then both are changes to run', () => {
    const planned = { ...running, memory: 1024, stopTimeout: 45 };

    const { run } = diffLocalContainer({ ...running, memory: 512 }, planned);

    expect(run).toEqual([
      { field: 'memory', kind: 'changed', before: '512 MiB', after: '1024 MiB' },
      { field: 'stop timeout', kind: 'added', after: '45s' },
    ]);
  });

  it("given a container whose image's environment is unknown, then only the planned variables are compared", () => {
    const planned = {
      image: undefined,
      labels,
      environment: { APP_TAG: 'v2' },
      ownEnvironment: true,
    };

    const { run } = diffLocalContainer({ ...running, ownEnvironment: false }, planned);

    expect(run).toEqual([{ field: 'env APP_TAG', kind: 'changed', before: 'v1', after: 'v2' }]);
  });
});
