import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, describe, expect, it } from 'vitest';

import { TAG_KEYS } from '../../../src/lib/ecs/tag-codec.js';
import { renderTraefikArguments } from '../../../src/lib/cluster/traefik-command.js';
import { resolveContext } from '../../../src/lib/config/resolve.js';
import { validateConfig } from '../../../src/lib/config/load.js';
import { ENV_LABEL } from '../../../src/lib/labels.js';
import { localTraefikArguments, localTraefikLabels, throttleOf } from '../../../src/lib/local/cluster.js';
import { dockerSocketPath, localEnvironment, localUrl } from '../../../src/lib/env/local.js';
import { ensureLocalPassword, readLocalPassword } from '../../../src/lib/local/password.js';
import { deploymentLabels, localLabel, readDeploymentLabels } from '../../../src/lib/local/state.js';

function localFor(raw: unknown, env = 'local') {
  const { config, interpolated } = validateConfig(raw, { file: 'traefikctl.config.yaml', env: {} });
  const context = resolveContext({ config, filepath: undefined, dir: '/project', interpolated }, { env });
  return localEnvironment(context, {
    XDG_CONFIG_HOME: '/home/dev/.config',
    DOCKER_HOST: 'unix:///run/user/1000/docker.sock',
  });
}

describe('localEnvironment', () => {
  it('given the built-in local env, when resolved, then names, port, API host and password file follow from it', () => {
    const local = localFor({});

    expect(local).toMatchObject({
      env: 'local',
      network: 'traefikctl-local',
      traefikContainer: 'traefikctl-local-traefik',
      port: 8080,
      image: 'traefik:v3.7',
      entryPoint: 'web',
      apiHost: 'traefik.local.localhost',
      apiUrl: 'http://traefik.local.localhost:8080',
      connectTo: { host: '127.0.0.1', port: 8080 },
      passwordFile: '/home/dev/.config/traefikctl/local/traefikctl-local/api-password',
      dockerSocket: '/run/user/1000/docker.sock',
    });
    expect(localUrl(local, 'whoami-v2.local.localhost')).toBe('http://whoami-v2.local.localhost:8080');
  });

  it('given a network name Docker refuses, when resolved, then it is a usage error naming the key', () => {
    expect(() => localFor({ environments: { local: { cluster: 'no spaces' } } })).toThrow(
      /environments\.local\.cluster|not a Docker name/,
    );
  });

  it('given DOCKER_HOST over TCP or unset, when the socket is chosen, then the default socket is mounted', () => {
    expect(dockerSocketPath({ DOCKER_HOST: 'tcp://127.0.0.1:2375' })).toBe('/var/run/docker.sock');
    expect(dockerSocketPath({})).toBe('/var/run/docker.sock');
  });
});

describe('the local Traefik', () => {
  const local = localFor({ traefik: { image: 'traefik:v3.6.25' } });

  it('runs with the Docker provider under the ECS constraint, never with an insecure API', () => {
    const args = localTraefikArguments(local);

    expect(args).toEqual(
      expect.arrayContaining([
        '--entryPoints.web.address=:80',
        '--providers.docker=true',
        '--providers.docker.exposedByDefault=false',
        '--providers.docker.network=traefikctl-local',
        `--providers.docker.constraints=Label(\`${ENV_LABEL}\`,\`local\`)`,
        '--api=true',
      ]),
    );
    expect(args.some((arg) => arg.startsWith('--api.insecure'))).toBe(false);
    expect(args.some((arg) => arg.startsWith('--providers.ecs'))).toBe(false);
  });

  it('drops a stopped container fast: short dial timeout, short providers throttle, which a deploy reads back', () => {
    const args = localTraefikArguments(localFor({}));

    expect(args).toEqual(
      expect.arrayContaining([
        '--serversTransport.forwardingTimeouts.dialTimeout=250ms',
        '--providers.providersThrottleDuration=200ms',
      ]),
    );
    expect(throttleOf({ Args: args })).toBe(200);
    // A Traefik started before the throttle was set has Traefik's default.
    expect(throttleOf({ Args: args.filter((arg) => !arg.includes('Throttle')) })).toBe(2_000);
    expect(throttleOf({ Args: null })).toBe(2_000);
  });

  it('has the metrics, access log and log settings of the ECS Traefik, argument for argument', () => {
    const ecs = renderTraefikArguments({
      cluster: 'traefikctl-dev',
      region: 'eu-west-1',
      env: 'dev',
      entryPoint: 'web',
      trustedIps: ['10.0.0.0/16'],
    });
    const shared = (args: readonly string[]) =>
      args.filter((arg) => /^--(metrics|accessLog|log|global|ping|api)/.test(arg));

    expect(shared(localTraefikArguments(local))).toEqual(shared(ecs));
  });

  it("serves the API through cluster.yaml's router behind basic auth with the hash only", () => {
    const labels = localTraefikLabels(local, '$2b$08$hash');

    expect(labels).toMatchObject({
      'traefik.enable': 'true',
      [ENV_LABEL]: 'local',
      'traefik.http.routers.traefikctl-api.rule':
        'Host(`traefik.local.localhost`) && (PathPrefix(`/api`) || PathPrefix(`/dashboard`))',
      'traefik.http.routers.traefikctl-api.service': 'api@internal',
      'traefik.http.routers.traefikctl-api.middlewares': 'traefikctl-api-auth',
      'traefik.http.middlewares.traefikctl-api-auth.basicauth.users': 'admin:$2b$08$hash',
    });
  });
});

describe('local deployment state in container labels', () => {
  const values = {
    env: 'local',
    app: 'whoami',
    tag: 'feature/Login_Page',
    host: 'whoami-feature-login-page.local.localhost',
    image: 'sha256:abc',
    deployedAt: '2026-12-05T10:00:00.000Z',
    deployedBy: 'dev@laptop',
  };

  it('uses the keys of the ECS tags with a dot, and reads back what it wrote', () => {
    const labels = deploymentLabels(values);

    expect(Object.keys(labels)).toEqual(
      Object.values(TAG_KEYS)
        .filter((key) => key !== TAG_KEYS.expiresAt)
        .map((key) => key.replace('traefikctl:', 'traefikctl.')),
    );
    expect(labels[localLabel(TAG_KEYS.env)]).toBe('local');
    // the env label is the one Traefik's constraint reads
    expect(localLabel(TAG_KEYS.env)).toBe(ENV_LABEL);
    expect(readDeploymentLabels(labels)).toEqual(values);
  });

  it('reads nothing from a container that is not managed or misses a key', () => {
    const labels = deploymentLabels(values);
    expect(readDeploymentLabels({ ...labels, 'traefikctl.managed': 'false' })).toBeUndefined();
    const { [localLabel(TAG_KEYS.host)]: _host, ...partial } = labels;
    expect(readDeploymentLabels(partial)).toBeUndefined();
  });
});

describe('the local API password', () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('is created once with mode 0600 and then kept', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-local-password-'));
    const file = path.join(dir, 'traefikctl', 'local', 'net', 'api-password');

    const first = await ensureLocalPassword(file);
    const second = await ensureLocalPassword(file);

    expect(first.created).toBe(true);
    expect(first.value).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second).toEqual({ value: first.value, created: false });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readLocalPassword(file)).toBe(first.value);
  });
});
