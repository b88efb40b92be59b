/**
 * The labels `app deploy` writes route for real: the real Traefik v3 of the test stack reads them with
 * its Docker provider (the same label grammar as the ECS provider, shared/notes/traefik.md §5) under
 * the constraint `cluster up` uses on ECS, and sends each Host to the container of its deployment.
 * Labels and environment come from the plan of `app deploy --dry-run`, not from a copy in the test.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { dryRunDeploy, type DryRunResult } from '../../../src/lib/app/deploy/dry-run.js';
import { ENV_LABEL } from '../../../src/lib/labels.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { fakeAws } from '../../lib/app/deploy/fakes.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startTraefik, type RunningTraefik } from '../../support/traefik-process.js';
import { answerFor, DockerFixture, eventually, getWithHost, SERVE_APP_TAG } from './support.js';

const CONFIG = `
domain: example.com
apps:
  whoami:
    port: 80
  checked:
    port: 80
    healthCheck:
      path: /health
      interval: 1s
      timeout: 1s
`;

describeWith(['traefik', 'docker'], 'app deploy labels routed by the real Traefik', (stack) => {
  const env = uniqueName('tr');
  // A second env on the same engine, as another cluster's deployments would be.
  const otherEnv = uniqueName('tr');
  const docker = new DockerFixture(stack, uniqueName('traefik-labels'));
  let cwd: string;
  let traefik: RunningTraefik | undefined;
  let api: TraefikClient;

  /** Traefik's Docker provider limited to `routedEnv` exactly as the ECS provider is on ECS. */
  const dockerProvider = (routedEnv: string) => [
    '--providers.docker=true',
    `--providers.docker.endpoint=${stack.dockerHost}`,
    '--providers.docker.exposedByDefault=false',
    `--providers.docker.network=${docker.network}`,
    `--providers.docker.constraints=Label(\`${ENV_LABEL}\`,\`${routedEnv}\`)`,
  ];

  /** What `app deploy --dry-run` plans with no AWS region: no AWS call at all. */
  const plan = (app: string, tag: string, inEnv = env): Promise<DryRunResult> =>
    dryRunDeploy({ cwd, global: { env: inEnv }, app, tag, aws: fakeAws({ region: undefined }) });

  /** Runs the plan's one container the way ECS would: its dockerLabels and environment, nothing else. */
  async function deploy(deployment: DryRunResult): Promise<{ name: string; ip: string }> {
    const [container] = deployment.taskDefinition.containerDefinitions ?? [];
    if (container?.dockerLabels === undefined) throw new Error('The plan has no container labels');
    const environment = Object.fromEntries(
      (container.environment ?? []).map(({ name, value }) => [name ?? '', value ?? '']),
    );
    const name = uniqueName(deployment.serviceName);
    const ip = await docker.run({
      name,
      labels: container.dockerLabels,
      env: environment,
      shell: SERVE_APP_TAG,
    });
    return { name, ip };
  }

  const web = () => {
    if (traefik === undefined) throw new Error('Traefik did not start');
    return traefik.url('web');
  };

  let v1: DryRunResult;
  let login: DryRunResult;
  let foreign: DryRunResult;
  let loginIp: string;

  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-labels-route-'));
    await writeFile(path.join(cwd, 'traefikctl.config.yaml'), CONFIG);
    await docker.setUp();
    [v1, login, foreign] = await Promise.all([
      plan('whoami', 'v1'),
      plan('whoami', 'feature/Login_Page'),
      plan('whoami', 'v3', otherEnv),
    ]);
    // Every container runs before Traefik starts, so the first configuration it builds has seen the
    // other env's container too: once this env's are routed, "not routed" can't mean "not seen yet".
    await deploy(foreign);
    await deploy(v1);
    ({ ip: loginIp } = await deploy(login));
    // api.insecure serves the API on the loopback-only `traefik` entry point: the test reads the
    // servers' health there the way `app urls` does.
    traefik = await startTraefik(stack, {
      entryPoints: ['web', 'traefik'],
      args: ['--ping=true', '--api.insecure=true', ...dockerProvider(env)],
    });
    api = new TraefikClient({ apiUrl: traefik.url('traefik'), retries: 0, timeoutMs: 3_000 });
  });

  afterAll(async () => {
    await traefik?.stop();
    await docker.cleanUp();
    if (cwd) await rm(cwd, { recursive: true, force: true });
  });

  it('routes each tag of an app to its own container by the Host of its deployment', async () => {
    // given whoami at v1 and at feature/Login_Page, each run with the labels of its plan
    expect(v1.host).toBe(`whoami-v1.${env}.example.com`);
    expect(login.host).toBe(`whoami-feature-login-page.${env}.example.com`);

    // when each deployment's Host is asked for on Traefik's web entry point
    const first = await answerFor(web(), v1.host, 200);
    const second = await answerFor(web(), login.host, 200);

    // then each answers with its own build
    expect(first.body).toBe('v1\n');
    expect(second.body).toBe('feature/Login_Page\n');
    // and Traefik names router and service after the ECS service name, with the container's address
    const service = await api.httpService(`${login.serviceName}@docker`);
    expect(service?.serverStatus).toEqual({ [`http://${loginIp}:80`]: 'UP' });
    const router = await api.httpRouter(`${login.serviceName}@docker`);
    expect(router).toMatchObject({
      rule: `Host(\`${login.host}\`)`,
      service: login.serviceName,
      entryPoints: ['web'],
      status: 'enabled',
    });
  });

  it('answers a host that no deployment has with its own 404', async () => {
    // given the deployments of this env are routed
    await answerFor(web(), v1.host, 200);

    // when hosts without a deployment are asked for: a tag never deployed, a stranger's host
    const undeployed = await getWithHost(web(), `whoami-v9.${env}.example.com`);
    const stranger = await getWithHost(web(), 'example.com');

    // then Traefik answers both itself, with no app in between
    for (const answer of [undeployed, stranger]) {
      expect(answer.status).toBe(404);
      expect(answer.body).toBe('404 page not found\n');
    }
  });

  it("does not route a container labelled with another env, which that env's Traefik routes", async () => {
    // given a Traefik constrained to the other env, as that env's cluster runs it
    const otherTraefik = await startTraefik(stack, {
      entryPoints: ['web', 'traefik'],
      args: ['--ping=true', ...dockerProvider(otherEnv)],
    });
    try {
      // and that Traefik routes the other env's container (its labels are fine)
      const routedThere = await answerFor(otherTraefik.url('web'), foreign.host, 200);
      expect(routedThere.body).toBe('v3\n');
      // and this env's Traefik, which saw that container from its start, routes its own deployments
      await answerFor(web(), v1.host, 200);

      // when this env's Traefik is asked for the other env's host, and the other for this env's
      const crossed = await getWithHost(web(), foreign.host);
      const crossedBack = await getWithHost(otherTraefik.url('web'), v1.host);

      // then neither routes the other's deployment, and this env's Traefik has no router for it
      expect(crossed.status).toBe(404);
      expect(crossedBack.status).toBe(404);
      expect(await api.httpRouter(`${foreign.serviceName}@docker`)).toBeUndefined();
    } finally {
      await otherTraefik.stop();
    }
  });

  it('routes a deployment with a health check only while its health path answers 200', async () => {
    // given an app whose config has a health check, deployed before its health page exists
    const checked = await plan('checked', 'v1');
    expect(checked.labels).toMatchObject({
      [`traefik.http.services.${checked.serviceName}.loadbalancer.healthcheck.path`]: '/health',
      [`traefik.http.services.${checked.serviceName}.loadbalancer.healthcheck.interval`]: '1s',
    });
    const { name, ip } = await deploy(checked);
    const server = `http://${ip}:80`;
    const serverStatus = async (wanted: string) =>
      eventually(`Traefik to report ${server} ${wanted}`, async () => {
        const status = (await api.httpService(`${checked.serviceName}@docker`))?.serverStatus?.[server];
        return status === wanted ? { done: true, value: status } : { done: false, seen: String(status) };
      });

    // then, once Traefik has checked it, the server is DOWN and the Host gets no answer from the app
    // (Traefik counts a new server UP until its first check, one interval after discovery: wait for it)
    await serverStatus('DOWN');
    const unhealthy = await answerFor(web(), checked.host, 503);
    expect(unhealthy.body).toBe('no available server\n');

    // when the app's health path starts answering 200
    await docker.exec(name, 'echo ok > /www/health');

    // then Traefik marks the server UP and routes the Host to the app, health path included
    await serverStatus('UP');
    const healthy = await answerFor(web(), checked.host, 200);
    expect(healthy.body).toBe('v1\n');
    const health = await getWithHost(`${web()}/health`, checked.host);
    expect({ status: health.status, body: health.body }).toEqual({ status: 200, body: 'ok\n' });

    // when the health path fails again, the route loses its server again
    await docker.exec(name, 'rm /www/health');
    await serverStatus('DOWN');
    expect((await answerFor(web(), checked.host, 503)).body).toBe('no available server\n');
  });
});
