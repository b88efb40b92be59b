/**
 * The routes of an environment end to end in-process: configuration and flags resolved, every page
 * of Traefik's lists read from a local stand-in that serves the real captures with Traefik's
 * pagination, ECS read from moto, everything joined.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterTaskDefinitionCommand,
} from '@aws-sdk/client-ecs';
import { afterAll, afterEach, expect, it } from 'vitest';

import { deploymentTags } from '../../../src/lib/ecs/tag-codec.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { openEnvironment } from '../../../src/lib/env/open.js';
import { openRoutesSource } from '../../../src/lib/routes/open.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import {
  generateEcsRoutes,
  describeWithTraefikFixtures,
  readTraefikFixture,
  startTraefikServer,
  type TraefikApiData,
  type TraefikTestServer,
} from '../../support/traefik-server.js';

type Items = Record<string, unknown>[];

/** The captures' HTTP, TCP and UDP lists plus 19 ECS routers (Traefik's "many" test size). */
function fixtureData(): TraefikApiData {
  const ecs = generateEcsRoutes(19);
  return {
    http: {
      routers: [...readTraefikFixture<Items>('routers.json'), ...ecs.routers],
      services: [...readTraefikFixture<Items>('services.json'), ...ecs.services],
    },
    tcp: {
      routers: readTraefikFixture<Items>('tcprouters.json'),
      services: readTraefikFixture<Items>('tcpservices.json'),
    },
    udp: {
      routers: readTraefikFixture<Items>('udprouters.json'),
      services: readTraefikFixture<Items>('udpservices.json'),
    },
  };
}

describeWith(['moto'], 'openRoutesSource', () => {
  let dir: string;
  let server: TraefikTestServer;
  const clients = new AwsClients();
  afterEach(async () => {
    await server?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
  afterAll(() => clients.destroy());

  describeWithTraefikFixtures('on the real captures', () => {
    it.each([1, 7, 100])(
      'returns every router of the captures exactly once with pages of %i',
      async (perPage) => {
        // given Traefik serving the captures, and an env without a cluster
        server = await startTraefikServer({ data: fixtureData() });
        dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-routes-'));
        const environment = await openEnvironment({
          cwd: dir,
          global: { env: uniqueName('rt') },
          apiUrl: server.url,
        });
        const source = await openRoutesSource(environment, { perPage });
        // when the routes are read
        const snapshot = await source.snapshot();
        await source.close();
        // then each router of each protocol is there once, and the last page was the last request
        const expected = fixtureData();
        const names = (items: Items | undefined) => (items ?? []).map((item) => String(item.name)).sort();
        const byProtocol = (protocol: string) =>
          snapshot.routes
            .filter((route) => route.protocol === protocol)
            .map((route) => route.name)
            .sort();
        expect(byProtocol('http')).toEqual(names(expected.http?.routers));
        expect(byProtocol('tcp')).toEqual(names(expected.tcp?.routers));
        expect(byProtocol('udp')).toEqual(names(expected.udp?.routers));
        const routerPages = server.requests.filter((request) => request.startsWith('/api/http/routers?'));
        expect(routerPages).toHaveLength(Math.ceil(21 / perPage));
        // and without a cluster, nothing is called missing or orphaned
        expect(snapshot.deploymentsKnown).toBe(false);
        expect(snapshot.routes.flatMap((route) => route.attention.map((a) => a.kind))).not.toContain(
          'orphaned',
        );
      },
    );
  });

  it('reads the API URL and user from the configuration, and joins the managed ECS services of the env', async () => {
    // given a cluster for the env with three managed services: one Traefik routes, one it doesn't,
    // and one scaled to 0 (what a failed first deploy leaves), which it can't
    const env = uniqueName('rt');
    const ecs = await clients.ecs();
    await ecs.send(new CreateClusterCommand({ clusterName: `traefikctl-${env}` }));
    const registered = await ecs.send(
      new RegisterTaskDefinitionCommand({
        family: uniqueName('app0'),
        containerDefinitions: [{ name: 'app', image: 'traefik/whoami', memory: 128 }],
      }),
    );
    for (const tag of ['v1', 'v8', 'v9']) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: `traefikctl-${env}`,
          serviceName: `app0-${tag}`,
          taskDefinition: registered.taskDefinition?.taskDefinitionArn,
          // moto runs no task either way (no task runner here)
          desiredCount: tag === 'v8' ? 0 : 1,
          tags: deploymentTags({
            env,
            app: 'app0',
            tag,
            host: `app0-${tag}.${env}.example.com`,
            image: 'registry/app0@sha256:abc',
            deployedAt: '2026-08-01T10:00:00.000Z',
            deployedBy: 'arn:aws:iam::123456789012:user/ci',
          }),
        }),
      );
    }
    const auth = { username: 'ops', password: 'pa55-word' };
    server = await startTraefikServer({ data: { http: generateEcsRoutes(3) }, auth });
    dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-routes-'));
    await writeFile(
      path.join(dir, 'traefikctl.config.yaml'),
      `domain: example.com\ntraefik:\n  apiUrl: ${server.url}\n  username: ops\n`,
    );
    process.env.TRAEFIKCTL_TRAEFIK_PASSWORD = auth.password;
    try {
      // when the routes of the env are read
      const source = await openRoutesSource(await openEnvironment({ cwd: dir, global: { env } }));
      const snapshot = await source.snapshot();
      await source.close();

      // then app0-v1's router carries its deployment, app0-v8 and app0-v9 are missing (v8 because
      // nothing runs), the others are orphaned
      const summary = Object.fromEntries(
        snapshot.routes.map((route) => [
          route.name,
          `${route.status} ${route.deployment?.tag ?? '-'} ${route.attention.map((a) => a.kind).join(',')}`,
        ]),
      );
      expect(summary).toEqual({
        'app0-v0@ecs': 'enabled - orphaned',
        'app0-v1@ecs': 'enabled v1 ',
        'app0-v2@ecs': 'enabled - orphaned',
        'app0-v8@ecs': 'missing v8 scaled-to-zero',
        'app0-v9@ecs': 'missing v9 not-discovered',
      });
    } finally {
      delete process.env.TRAEFIKCTL_TRAEFIK_PASSWORD;
    }
  });
});
