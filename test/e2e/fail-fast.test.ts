/**
 * Issue 18's acceptance, tried as a new user would: the built CLI against moto, with the stack's task
 * runner running the tasks as real containers and a real Traefik routing them (started as
 * `scripts/test-stack.sh traefik --env <env>` starts it for a person). A deploy whose container exits
 * at start fails in seconds (exit 3) and is scaled to 0; a fixed build of the same tag brings it back;
 * an image the registry doesn't have fails with the pull error; one tag more than `maxDeployments`
 * is refused (exit 2) with the list to prune. Everything stays on 127.0.0.0/8, with fake credentials.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeServicesCommand, DescribeTasksCommand, ListTasksCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { moto } from '../integration/app/seed.js';
import { startPriceListStandIn, type PriceListStandIn } from '../support/price-list-stand-in.js';
import { runCli, type CliResult } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { busyboxApp, runnerEcs, startStackTraefik, stopStackTraefik } from '../support/stack-apps.js';

/** busybox httpd FROM scratch, answering its APP_TAG on /. */
const SERVE =
  'mkdir -p /www && echo "$APP_TAG" > /www/index.html && exec /bin/busybox httpd -f -p 80 -h /www';
/** A build that starts, says why it gives up, and exits 1. */
const CRASH = 'echo "starting crashy"; echo "fatal: cannot open /etc/crashy.conf" >&2; exit 1';

describeWith(
  ['docker', 'registry', 'moto', 'traefik', 'runner'],
  'fail fast (issue 18): a verdict in seconds, scale to 0, limits',
  (stack) => {
    const env = uniqueName('ff');
    const cluster = `traefikctl-${env}`;
    const repos = { crashy: uniqueName('crashy'), ghost: uniqueName('ghost'), capped: uniqueName('capped') };
    let cwd: string;
    let cliEnv: NodeJS.ProcessEnv;
    let clients: AwsClients;
    // moto has no Pricing API: the CLI reads prices from a stand-in that answers in GetProducts' format.
    let prices: PriceListStandIn;
    // The runner's view of ECS: the tasks it runs, how they stopped.
    const ecs = runnerEcs(stack);

    const cli = (args: readonly string[], timeoutMs = 150_000): Promise<CliResult> =>
      runCli(args, { cwd, env: cliEnv, timeoutMs });

    async function service(name: string) {
      const { services } = await ecs.send(new DescribeServicesCommand({ cluster, services: [name] }));
      return services?.[0];
    }

    /** When the first stopped task of the service stopped (epoch ms), as the runner reports it. */
    async function firstStop(name: string): Promise<number | undefined> {
      const { taskArns = [] } = await ecs.send(
        new ListTasksCommand({ cluster, desiredStatus: 'STOPPED', maxResults: 100 }),
      );
      if (taskArns.length === 0) return undefined;
      const { tasks = [] } = await ecs.send(
        new DescribeTasksCommand({ cluster, tasks: taskArns.slice(0, 100) }),
      );
      const stops = tasks
        .filter((task) => task.group === `service:${name}` && task.stoppedAt !== undefined)
        .map((task) => task.stoppedAt?.getTime() ?? Infinity);
      return stops.length === 0 ? undefined : Math.min(...stops);
    }

    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-failfast-'));
      await busyboxApp(stack, path.join(cwd, 'crashy'), CRASH);
      await busyboxApp(stack, path.join(cwd, 'capped'), SERVE);
      await writeFile(
        path.join(cwd, 'traefikctl.config.yaml'),
        [
          'region: us-east-1',
          'domain: example.com',
          `environment: ${env}`,
          `registry: ${stack.registry}`,
          'apps:',
          '  crashy:',
          `    repository: ${repos.crashy}`,
          '    context: crashy',
          '    port: 80',
          '  ghost:',
          `    repository: ${repos.ghost}`,
          '    port: 80',
          '  capped:',
          `    repository: ${repos.capped}`,
          '    context: capped',
          '    port: 80',
          '    maxDeployments: 2',
          '    ttlFor:',
          '      "pr-*": 3d',
          '',
        ].join('\n'),
      );
      prices = await startPriceListStandIn();
      cliEnv = {
        AWS_ENDPOINT_URL_ECS: stack.runnerUrl,
        AWS_ENDPOINT_URL_PRICING: prices.url,
        XDG_CACHE_HOME: path.join(cwd, 'cache'),
      };
      clients = new AwsClients({ region: 'us-east-1' });
      const up = await cli(['cluster', 'up', '--yes']);
      expect(up.exitCode, up.stderr).toBe(0);
      cliEnv = { ...cliEnv, TRAEFIKCTL_CONNECT_TO: await startStackTraefik(env) };
    }, 180_000);

    afterAll(async () => {
      for (const [app, tag] of [
        ['crashy', 'v1'],
        ['ghost', 'v1'],
        ['ghost', 'v2'],
        ['ghost', 'v3'],
        ['capped', 'v1'],
        ['capped', 'v2'],
        ['capped', 'pr-3'],
      ] as const) {
        await cli(['app', 'destroy', app, '--tag', tag, '--yes']).catch(() => undefined);
      }
      await stopStackTraefik(env);
      await cli(['cluster', 'down', '--yes', '--force']).catch(() => undefined);
      await clients.destroy();
      await prices.close();
      ecs.destroy();
      await rm(cwd, { recursive: true, force: true });
    }, 180_000);

    it('a container that exits 1 at start fails in seconds (exit 3), and is scaled to 0', async () => {
      // given crashy's image pushed
      const push = await cli(['image', 'push', 'crashy', '--tag', 'v1']);
      expect(push.exitCode, push.stderr).toBe(0);

      // when it is deployed for the first time
      const deploy = await cli(['app', 'deploy', 'crashy', '--tag', 'v1']);
      const ended = Date.now();

      // then it fails (exit 3) naming the exit code and the last log lines, well before any timeout
      expect(deploy.exitCode, deploy.stderr).toBe(3);
      expect(deploy.stderr).toMatch(/Task \S+ of crashy-v1 stopped: .*container crashy exited 1/);
      expect(deploy.stderr).toContain('fatal: cannot open /etc/crashy.conf');
      expect(deploy.stderr).toContain('Scaled crashy-v1 to 0 tasks (--on-failure scale-to-zero)');
      const stopped = await firstStop('crashy-v1');
      expect(stopped).toBeDefined();
      const seconds = (ended - (stopped ?? ended)) / 1000;
      console.log(
        `fail-fast: app deploy crashy --tag v1 exited 3 ${seconds.toFixed(1)}s after its task stopped`,
      );
      expect(seconds).toBeLessThan(30);
      // and ECS (describe-services) now wants no task of it
      expect((await service('crashy-v1'))?.desiredCount).toBe(0);
    });

    it('a fixed build of the same tag brings it back', async () => {
      // given a fixed image pushed under the same tag
      await busyboxApp(stack, path.join(cwd, 'crashy'), SERVE);
      const push = await cli(['image', 'push', 'crashy', '--tag', 'v1']);
      expect(push.exitCode, push.stderr).toBe(0);

      // when deployed again
      const deploy = await cli(['app', 'deploy', 'crashy', '--tag', 'v1']);

      // then it is live, with one task wanted again
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.stdout).toBe(`http://crashy-v1.${env}.example.com\n`);
      expect((await service('crashy-v1'))?.desiredCount).toBe(1);
    });

    it('an image tag the registry does not have fails with the pull error', async () => {
      // given ECR (moto) knows ghost:v1, but the registry the tasks pull from never got it
      await moto.createRepository(clients, repos.ghost);
      await moto.putImage(clients, repos.ghost, 'v1');

      const deploy = await cli(['app', 'deploy', 'ghost', '--tag', 'v1']);

      expect(deploy.exitCode, deploy.stderr).toBe(3);
      expect(deploy.stderr).toMatch(/Task \S+ of ghost-v1 stopped: CannotPullContainerError/);
      expect(deploy.stderr).toContain('(the task could not start)');
      expect((await service('ghost-v1'))?.desiredCount).toBe(0);
    });

    it('--on-failure destroy removes a failed first-time tag; keep leaves it', async () => {
      await moto.putImage(clients, repos.ghost, 'v2', 'ghost-v2');
      await moto.putImage(clients, repos.ghost, 'v3', 'ghost-v3');

      const destroyed = await cli(['app', 'deploy', 'ghost', '--tag', 'v2', '--on-failure', 'destroy']);
      expect(destroyed.exitCode, destroyed.stderr).toBe(3);
      expect(destroyed.stderr).toContain('Removed ghost-v2 and its task definitions (--on-failure destroy).');
      expect((await service('ghost-v2'))?.status).not.toBe('ACTIVE');

      const kept = await cli(['app', 'deploy', 'ghost', '--tag', 'v3', '--on-failure', 'keep']);
      expect(kept.exitCode, kept.stderr).toBe(3);
      expect(kept.stderr).toContain('Left ghost-v3 as it is (--on-failure keep)');
      expect(await service('ghost-v3')).toMatchObject({ status: 'ACTIVE', desiredCount: 1 });
    });

    it('one tag more than maxDeployments is refused (exit 2) with the list to prune, or prunes it', async () => {
      // given capped at its limit of 2
      for (const tag of ['v1', 'v2']) {
        const push = await cli(['image', 'push', 'capped', '--tag', tag]);
        expect(push.exitCode, push.stderr).toBe(0);
        const deploy = await cli(['app', 'deploy', 'capped', '--tag', tag, '--no-wait']);
        expect(deploy.exitCode, deploy.stderr).toBe(0);
      }
      const push = await cli(['image', 'push', 'capped', '--tag', 'pr-3']);
      expect(push.exitCode, push.stderr).toBe(0);

      // when a third tag is deployed
      const refused = await cli(['app', 'deploy', 'capped', '--tag', 'pr-3', '--no-wait']);

      // then it is refused, naming the oldest to remove, and nothing was created
      expect(refused.exitCode, refused.stderr).toBe(2);
      expect(refused.stderr).toContain('capped has 2 deployments');
      expect(refused.stderr).toContain('maxDeployments is 2');
      expect(refused.stderr).toMatch(/v1 \(capped-v1, deployed \d+m ago; the oldest\)/);
      expect(refused.stderr).toContain(`traefikctl app destroy capped --tag v1 --env ${env} --yes`);
      expect(await service('capped-pr-3')).toBeUndefined();

      // and with --prune-oldest the oldest goes, and the new tag gets ttlFor's 3 days
      const pruned = await cli([
        'app',
        'deploy',
        'capped',
        '--tag',
        'pr-3',
        '--no-wait',
        '--prune-oldest',
        '--json',
      ]);
      expect(pruned.exitCode, pruned.stderr).toBe(0);
      const result = JSON.parse(pruned.stdout) as { expiresAt?: string };
      const days = (Date.parse(result.expiresAt ?? '') - Date.now()) / 86_400_000;
      expect(days).toBeGreaterThan(2.9);
      expect(days).toBeLessThanOrEqual(3);
      expect((await service('capped-v1'))?.status).not.toBe('ACTIVE');
      expect((await service('capped-pr-3'))?.status).toBe('ACTIVE');
    });

    it('the dry run shows the threshold, the on-failure policy, the expiry and the daily cost', async () => {
      const push = await cli(['image', 'push', 'capped', '--tag', 'pr-4']);
      expect(push.exitCode, push.stderr).toBe(0);
      const plan = await cli([
        'app',
        'deploy',
        'capped',
        '--tag',
        'pr-4',
        '--dry-run',
        '--on-failure',
        'keep',
      ]);
      expect(plan.exitCode, plan.stderr).toBe(0);
      expect(plan.stdout).toContain('Failure policy, expiry and cost');
      expect(plan.stdout).toMatch(
        /On failure {2}fail on the first fatal stop; circuit breaker after 2 failed tasks; then keep \(failureThreshold 2, --on-failure keep\)/,
      );
      expect(plan.stdout).toMatch(/Expiry {6}\d{4}-\d\d-\d\dT\S+ \(ttlFor "pr-\*"\)/);
      expect(plan.stdout).toMatch(/Limit {7}2 deployments of this app per env \(maxDeployments\)/);
      // 256 CPU units, 512 MiB on x86_64 at the stand-in's us-east-1 prices
      expect(plan.stdout).toMatch(/Cost {8}\$0\.30\/day \(Fargate on-demand, AWS Price List\)/);
      expect(plan.stdout).toMatch(/"thresholdConfiguration": \{\s+"type": "COUNT",\s+"value": 2\s/);

      // and without the Price List, the cost is unknown, never a guess
      const offline = await runCli(['app', 'deploy', 'capped', '--tag', 'pr-4', '--dry-run'], {
        cwd,
        env: {
          ...cliEnv,
          AWS_ENDPOINT_URL_PRICING: 'http://127.0.0.1:9',
          XDG_CACHE_HOME: path.join(cwd, 'empty'),
        },
        timeoutMs: 60_000,
      });
      expect(offline.exitCode, offline.stderr).toBe(0);
      expect(offline.stdout).toMatch(/Cost {8}unknown/);
    });

    it('app urls shows age, expiry and cost; status shows the cost and warns near the limit', async () => {
      const urls = await cli(['app', 'urls', 'capped', '--json']);
      expect(urls.exitCode, urls.stderr).toBe(0);
      const listed = JSON.parse(urls.stdout) as {
        deployments: { tag: string; deployedAt: string; expiresAt?: string; costPerDay?: string }[];
        totalCostPerDay?: string;
      };
      const pr = listed.deployments.find((row) => row.tag === 'pr-3');
      expect(pr).toMatchObject({ costPerDay: '$0.30/day' });
      expect(pr?.expiresAt).toMatch(/^\d{4}-/);
      expect(listed.totalCostPerDay).toBe('$0.59/day');

      const status = await cli(['status']);
      expect(status.exitCode, status.stderr).toBe(0);
      expect(status.stderr).toMatch(/Fargate cost: \$\S+\/day \(on demand, AWS Price List\)/);
      expect(status.stderr).toContain(
        'capped is at its limit: 2 of 2 deployments (maxDeployments); the next new tag is refused unless deployed with --prune-oldest.',
      );
    });
  },
);
