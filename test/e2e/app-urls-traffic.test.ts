/**
 * `traefikctl app urls --traffic` as a user runs it: deployments seeded in moto (the env's cluster
 * stack pointing at the API), Traefik the stack's real v3 with `/metrics` behind the API's basic
 * auth, routing each deployment's router (named after its ECS service, as on ECS) to a backend
 * on loopback. 100 requests (10 of them slow 500s) to one deployment inside the CLI's window.
 */
import { expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { eventually, getWithHost } from '../integration/traefik/support.js';
import { projectDir, seedClusterStack, seedDeployment } from '../integration/app/seed.js';
import {
  sendTraffic,
  startBackend,
  startProxy,
  TRAFFIC_DOMAIN,
  type Backend,
} from '../integration/traefik/traffic-support.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../support/traefik-live.js';

interface JsonUrls {
  traffic?: { state: string };
  deployments: {
    tag: string;
    traffic?: { requests: number; share5xx: number | null; requestsPerSecond: number };
  }[];
}

describeWith(
  ['moto', 'traefik'],
  'app urls --traffic against a live Traefik serving real requests',
  (stack) => {
    it('shows the 5xx share and rate of the deployment that got 100 requests, zero for the other; status flags both', async () => {
      const env = uniqueName('ut');
      const backends: Backend[] = [await startBackend(), await startBackend()];
      let live: LiveTraefik | undefined;
      let proxy: { url: string; close(): Promise<void> } | undefined;
      const clients = new AwsClients();
      try {
        // given two deployments of whoami, each routed by Traefik under its ECS service name
        live = await startLiveTraefik(stack, { metrics: true });
        // (the proxy in front of Traefik says when a CLI's first read of /metrics is done)
        let firstRead: () => void = () => undefined;
        const nextRead = () => new Promise<void>((resolve) => (firstRead = resolve));
        let readOnce = nextRead();
        proxy = await startProxy(live.apiUrl, () => firstRead());
        const { cluster } = await seedClusterStack(clients, env, { ApiUrl: proxy.url });
        const busy = await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
        const quiet = await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v2' });
        const router = (host: string, service: string) => ({
          rule: `Host(\`${host}.${TRAFFIC_DOMAIN}\`)`,
          entryPoints: ['web'],
          service,
        });
        await live.writeDynamic('deployments', {
          http: {
            routers: {
              [busy.service]: router('busy', busy.service),
              [quiet.service]: router('quiet', quiet.service),
            },
            services: {
              [busy.service]: { loadBalancer: { servers: [{ url: backends[0]?.url ?? '' }] } },
              [quiet.service]: { loadBalancer: { servers: [{ url: backends[1]?.url ?? '' }] } },
            },
          },
        });
        const web = live.apiUrl;
        await eventually('the busy deployment routed', async () => {
          const answer = await getWithHost(`${web}/`, `busy.${TRAFFIC_DOMAIN}`);
          return answer.status === 200
            ? { done: true, value: undefined }
            : { done: false, seen: String(answer.status) };
        });
        await clients.destroy();
        const cwd = await projectDir();

        // when app urls --json --traffic runs with a 10s window, and busy gets 100 requests inside it
        const run = runCli(['app', 'urls', '--env', env, '--json', '--traffic', '--window', '10s'], {
          cwd,
          env: { TRAEFIKCTL_TRAEFIK_PASSWORD: live.password },
        });
        await readOnce;
        await sendTraffic(web, 100);
        const { stdout, stderr, exitCode } = await run;

        // then each deployment carries its traffic: exactly the loop's for v1, none for v2
        expect(exitCode, stderr).toBe(0);
        expect(stderr).toBe('');
        const result = JSON.parse(stdout) as JsonUrls;
        expect(result.traffic?.state).toBe('ready');
        const v1 = result.deployments.find((d) => d.tag === 'v1')?.traffic;
        const v2 = result.deployments.find((d) => d.tag === 'v2')?.traffic;
        expect(v1).toMatchObject({ requests: 100, share5xx: 0.1 });
        expect(v1?.requestsPerSecond).toBeGreaterThan(5);
        expect(v2).toMatchObject({ requests: 0, requestsPerSecond: 0, share5xx: null });

        // when status --traffic runs the same way (5xx above 5% and no request for 1s are problems)
        readOnce = nextRead();
        const statusRun = runCli(
          ['status', '--env', env, '--json', '--traffic', '--window', '8s', '--idle-after', '1s'],
          { cwd, env: { TRAEFIKCTL_TRAEFIK_PASSWORD: live.password } },
        );
        await readOnce;
        await sendTraffic(web, 50);
        const status = await statusRun;

        // then v1 is flagged for its 10% 5xx, and v2, which never had a request, as idle
        expect(status.exitCode, status.stderr).toBe(0);
        const seen = JSON.parse(status.stdout) as {
          problems: number;
          deployments: { tag: string; problems: string[] }[];
        };
        const problems = (tag: string) => seen.deployments.find((d) => d.tag === tag)?.problems ?? [];
        expect(problems('v1')).toContainEqual(
          expect.stringMatching(/^5xx on 10% of 50 requests in the last \d+s \(more than 5%\)$/),
        );
        expect(problems('v1').some((p) => p.startsWith('idle'))).toBe(false);
        expect(problems('v2')).toContainEqual(
          expect.stringMatching(
            /^idle: no request since Traefik started \d+m ago; `app prune` can remove it$/,
          ),
        );
        expect(seen.problems).toBeGreaterThanOrEqual(2);
      } finally {
        await proxy?.close();
        await live?.stop();
        for (const backend of backends) await backend.close();
        await clients.destroy();
      }
    }, 90_000);
  },
);
