/**
 * `app urls` against moto: the deployments of one env read back from ECS tags, the number of ECS
 * calls that costs, the Traefik join (a local Traefik API stand-in) and `--check` (a local HTTP
 * server that the probe reaches through an injected resolver: tests only talk to 127.0.0.1).
 */
import { CreateServiceCommand, DeleteServiceCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { listDeployments } from '../../../src/lib/ecs/services.js';
import { appUrls } from '../../../src/lib/app/urls.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { traefikSchema } from '../../../src/lib/config/schema.js';
import { UserError } from '../../../src/lib/errors.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startTraefikServer, type TraefikTestServer } from '../../support/traefik-server.js';
import { createCluster, seedDeployment } from './seed.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** Counts the SDK commands the ECS client sends, by name. */
async function countEcsCalls(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const ecs = await clients.ecs();
  ecs.middlewareStack.add(
    (next, context) => (args) => {
      const name = context.commandName ?? '?';
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: uniqueName('count') },
  );
  return counts;
}

const noTraefik = traefikSchema.parse({});

describeWith(['moto'], 'app urls', () => {
  it('lists exactly the ACTIVE deployments of the env, with their hosts, ECS counts and tags', async () => {
    // given a cluster with deployments in dev, one in staging, one removed, and a service of someone else
    const cluster = uniqueName('urls');
    await createCluster(clients, cluster);
    const v1 = await seedDeployment(clients, cluster, {
      env: 'dev',
      app: 'whoami',
      tag: 'v1',
      desiredCount: 1,
    });
    const feature = await seedDeployment(clients, cluster, {
      env: 'dev',
      app: 'whoami',
      tag: 'feature/Login_Page',
      deployedAt: new Date().toISOString(),
      expiresAt: '2030-01-01T00:00:00.000Z',
    });
    const api = await seedDeployment(clients, cluster, { env: 'dev', app: 'api', tag: 'v7' });
    await seedDeployment(clients, cluster, { env: 'staging', app: 'whoami', tag: 'v1-stg' });
    const removed = await seedDeployment(clients, cluster, {
      env: 'dev',
      app: 'whoami',
      tag: 'old',
      desiredCount: 0,
    });
    await (await clients.ecs()).send(new DeleteServiceCommand({ cluster, service: removed.service }));
    // (the order of v1 and api below: both were deployed an hour ago; apps sort first)
    const ecs = await clients.ecs();
    await ecs.send(
      new CreateServiceCommand({
        cluster,
        serviceName: 'someone-else',
        taskDefinition: v1.taskDefinitionArns[0],
        desiredCount: 1,
        tags: [{ key: 'team', value: 'data' }],
      }),
    );

    // when the urls of dev are read
    const result = await appUrls({ clients, env: 'dev', outputs: { cluster }, traefik: noTraefik });

    // then exactly the three live dev deployments come back, apps sorted, newest first within an app
    expect(result.deployments.map((d) => [d.app, d.tag, d.url])).toEqual([
      ['api', 'v7', `http://${api.host}`],
      ['whoami', 'feature/Login_Page', 'http://whoami-feature-login-page.dev.example.com'],
      ['whoami', 'v1', `http://${v1.host}`],
    ]);
    expect(feature.host).toBe('whoami-feature-login-page.dev.example.com');
    const row = result.deployments.find((d) => d.tag === 'feature/Login_Page');
    expect(row).toMatchObject({
      env: 'dev',
      service: 'whoami-feature-login-page',
      desired: 1,
      // moto's test stack runs every service with MOTO_ECS_SERVICE_RUNNING=1
      running: 1,
      expiresAt: '2030-01-01T00:00:00.000Z',
      deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/jane@example.com',
    });
    expect(row?.route).toBeUndefined();
    expect(result.traefik.status).toBe('skipped');
  });

  it('reads 200 services with 2 ListServices and 20 DescribeServices calls', async () => {
    // given 200 managed services in one cluster
    const cluster = uniqueName('urls200');
    await createCluster(clients, cluster);
    const tags = Array.from({ length: 200 }, (_, i) => `b${i}`);
    for (let i = 0; i < tags.length; i += 20) {
      await Promise.all(
        tags
          .slice(i, i + 20)
          .map((tag) => seedDeployment(clients, cluster, { env: 'dev', app: 'load', tag })),
      );
    }
    const counts = await countEcsCalls();

    // when they are listed
    const deployments = await listDeployments(clients, { cluster, env: 'dev' });

    // then all are there, for ceil(200/100) + ceil(200/10) calls (moto ignores maxResults, so it
    // answers ListServices in one page; AWS would take two)
    expect(deployments).toHaveLength(200);
    expect(counts.get('DescribeServicesCommand')).toBe(20);
    expect(counts.get('ListServicesCommand')).toBeLessThanOrEqual(2);
  });

  it('says which apps are deployed when asked for one that is not', async () => {
    const cluster = uniqueName('urlsapp');
    await createCluster(clients, cluster);
    await seedDeployment(clients, cluster, { env: 'dev', app: 'whoami', tag: 'v1' });

    const error = await appUrls({
      clients,
      env: 'dev',
      outputs: { cluster },
      traefik: noTraefik,
      app: 'whoamii',
    }).then(
      () => undefined,
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe(
      'The app whoamii has no deployment in env dev (deployed apps: whoami).',
    );
    expect((error as UserError).suggestions[0]).toBe('Did you mean whoami?');
    expect((error as UserError).exitCode).toBe(2);
  });

  describe('with Traefik and --check', () => {
    let traefik: TraefikTestServer;
    let app: LocalServer;
    let appPort = 0;
    const hits: string[] = [];

    beforeAll(async () => {
      // A stand-in for the deployment behind Traefik: answers 200 for one host, 503 for the other,
      // and records the Host header each probe carries.
      app = await startLocalServer((request, response) => {
        hits.push(request.headers.host ?? '');
        response.statusCode = request.headers.host?.startsWith('whoami-v1.') ? 200 : 503;
        response.end('ok');
      });
      appPort = app.port;
    });
    afterAll(async () => {
      await traefik?.stop();
      await app.close();
    });

    it('joins routes with server health and probes each URL', async () => {
      // given two deployments, and a Traefik that routes one (server UP) and not the other
      const cluster = uniqueName('urlstr');
      await createCluster(clients, cluster);
      const v1 = await seedDeployment(clients, cluster, { env: 'dev', app: 'whoami', tag: 'v1' });
      const v2 = await seedDeployment(clients, cluster, { env: 'dev', app: 'whoami', tag: 'v2' });
      traefik = await startTraefikServer({
        auth: { username: 'admin', password: 's3cret' },
        data: {
          http: {
            routers: [
              {
                name: `${v1.service}@ecs`,
                provider: 'ecs',
                status: 'enabled',
                rule: `Host(\`${v1.host}\`)`,
                service: v1.service,
                entryPoints: ['web'],
              },
            ],
            services: [
              {
                name: `${v1.service}@ecs`,
                provider: 'ecs',
                status: 'enabled',
                loadBalancer: { servers: [{ url: 'http://10.0.0.7:80' }] },
                serverStatus: { 'http://10.0.0.7:80': 'UP' },
              },
            ],
          },
        },
      });

      // when the urls are read with the API configured and --check
      const result = await appUrls({
        clients,
        env: 'dev',
        outputs: { cluster },
        traefik: traefikSchema.parse({ apiUrl: traefik.url }),
        environment: { TRAEFIKCTL_TRAEFIK_PASSWORD: 's3cret' },
        check: true,
        probe: { timeoutMs: 2000, resolve: () => ({ address: '127.0.0.1', port: appPort }) },
      });

      // then v1 is routed with its server UP and answers; v2 has no router and answers 503
      const byTag = new Map(result.deployments.map((d) => [d.tag, d]));
      expect(result.traefik).toEqual({ status: 'ok', apiUrl: traefik.url });
      expect(byTag.get('v1')?.route).toEqual({
        status: 'enabled',
        serversUp: 1,
        serversTotal: 1,
        attention: [],
      });
      expect(byTag.get('v2')?.route?.status).toBe('missing');
      expect(byTag.get('v1')?.check).toMatchObject({ ok: true, status: 200, address: '127.0.0.1' });
      expect(byTag.get('v2')?.check).toMatchObject({ ok: false, status: 503 });
      // and each probe carried the deployment's own Host header
      expect(hits.sort()).toEqual([v1.host, v2.host].sort());
    });

    it('still lists the deployments when Traefik refuses the password, and says why', async () => {
      const cluster = uniqueName('urlsbad');
      await createCluster(clients, cluster);
      await seedDeployment(clients, cluster, { env: 'dev', app: 'whoami', tag: 'v1' });
      traefik ??= await startTraefikServer({ data: {}, auth: { username: 'admin', password: 's3cret' } });

      const result = await appUrls({
        clients,
        env: 'dev',
        outputs: { cluster },
        traefik: traefikSchema.parse({ apiUrl: traefik.url }),
        environment: { TRAEFIKCTL_TRAEFIK_PASSWORD: 'wrong' },
      });

      expect(result.deployments.map((d) => d.tag)).toEqual(['v1']);
      expect(result.deployments[0]?.route).toBeUndefined();
      expect(result.traefik.status).toBe('failed');
      expect(result.traefik.message).toMatch(/refuses the password of user admin \(401 Unauthorized\)/);
    });
  });
});
