/**
 * AWS economy (DESIGN.md budgets): the AWS requests traefikctl makes, by operation, counted by a
 * proxy on 127.0.0.1 in front of moto (bench/support/aws-proxy.ts) that the spawned CLI reaches
 * through AWS_ENDPOINT_URL, exactly as it reaches AWS.
 *
 * - `app deploy` of a new tag, then of a new image for the same tag: the calls before the rollout
 *   wait, and what each rollout poll costs (the proxy holds the rollout IN_PROGRESS for 3 polls;
 *   moto would settle at once). Budget: one DescribeServices per poll and at most one ListTasks
 *   (the stopped-task check that fails a deploy on its first fatal stop, issue 18), nothing else.
 * - `app urls --json` over 10, 200 and 1,000 services. Budget: at most ceil(N/10) DescribeServices
 *   and ceil(N/100) ListServices.
 * - `image push` (docker build, ECR login, push to the test registry).
 *
 * Needs the test stack (`scripts/test-stack.sh up`; moto on 127.0.0.1:5055, docker, the registry).
 * Everything it creates has a unique name; moto is never reset.
 *
 *   eval "$(scripts/test-stack.sh env)"
 *   node --import ./bench/support/register.ts bench/api-calls.ts
 *   BENCH_SMOKE=1 ...   10 and 30 services, budgets reported but not enforced
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';

import type * as OutputsModule from '../src/lib/cluster/outputs.js';
import type * as PlanTagsModule from '../src/lib/ecs/tag-codec.js';
import type * as NamingModule from '../src/lib/naming.js';
import { motoSeed, type SeedClients } from '../test/support/moto-seed.js';
import { startAwsProxy, type AwsCall, type AwsProxy } from './support/aws-proxy.js';
import { Budgets, machineLine, smoke, table } from './support/stats.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const MOTO = process.env.TRAEFIKCTL_TEST_MOTO_URL ?? process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5055';
const REGISTRY = process.env.TRAEFIKCTL_TEST_REGISTRY ?? '127.0.0.1:5000';

// The SDK in this process talks to moto directly (seeding is not counted); the CLI goes through the proxy.
process.env.AWS_REGION ??= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ??= 'testing';
process.env.AWS_SECRET_ACCESS_KEY ??= 'testing';
process.env.AWS_EC2_METADATA_DISABLED = 'true';
const sdk = { endpoint: MOTO, region: process.env.AWS_REGION, maxAttempts: 1 };
const ecs = new ECSClient(sdk);
const ecr = new ECRClient(sdk);
const ec2 = new EC2Client(sdk);
const cfn = new CloudFormationClient(sdk);
const logs = new CloudWatchLogsClient(sdk);
const clients: SeedClients = {
  ecs: () => Promise.resolve(ecs),
  ecr: () => Promise.resolve(ecr),
  ec2: () => Promise.resolve(ec2),
  cloudformation: () => Promise.resolve(cfn),
  logs: () => Promise.resolve(logs),
};

const benchDir = process.env.BENCH_DIR ?? mkdtempSync(path.join(tmpdir(), 'traefikctl-bench.'));
const ownDir = process.env.BENCH_DIR === undefined;
let cliDir = process.env.BENCH_CLI_DIR;
if (cliDir === undefined) {
  cliDir = path.join(benchDir, 'cli');
  execFileSync('bash', [path.join(BENCH, 'support/build-cli.sh'), cliDir], { stdio: 'inherit' });
}
const BIN = path.join(cliDir, 'manifest/bin/run.js');
const fromDist = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.join(cliDir, 'lib', file)).href)) as T;
// Seeding agrees with the CLI being timed: its naming, stack outputs and tags, from its dist/.
const moto = motoSeed({
  ...(await fromDist<typeof OutputsModule>('lib/cluster/outputs.js')),
  ...(await fromDist<typeof PlanTagsModule>('lib/ecs/tag-codec.js')),
  ...(await fromDist<typeof NamingModule>('lib/naming.js')),
});

const run = `b${Date.now().toString(36)}${Math.floor(Math.random() * 1296).toString(36)}`;
let unique = 0;
const uniqueName = (prefix: string) => `${prefix}-${run}-${unique++}`;

// --- seeding (straight to moto) --------------------------------------------------------------------

/** What `cluster up` leaves for an env: cluster, log group, and the stack's outputs. */
async function seedEnvironment(): Promise<{ env: string; cluster: string }> {
  return moto.seedEnvironment(clients, { env: uniqueName('bench') });
}

/** N services tagged exactly as `app deploy` tags them, all running one task definition. */
async function seedServices(env: string, cluster: string, count: number): Promise<void> {
  const taskDefinition = await moto.registerRevision(clients, uniqueName('bench-app'), []);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await moto.seedDeployment(clients, cluster, {
        env,
        app: `app${Math.floor(i / 10)}`,
        tag: `v${i % 10}`,
        taskDefinition,
      });
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

// --- running the CLI through the proxy --------------------------------------------------------------

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  calls: AwsCall[];
  wallMs: number;
}

async function cli(proxy: AwsProxy, args: string[], cwd: string): Promise<CliRun> {
  const mark = proxy.calls.length;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AWS_ENDPOINT_URL: proxy.url,
    CI: 'true',
    TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    HOME: path.join(benchDir, 'home'),
  };
  for (const name of Object.keys(env)) if (name.startsWith('AWS_ENDPOINT_URL_')) delete env[name];
  mkdirSync(env.HOME as string, { recursive: true });
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout, stderr, calls: proxy.since(mark), wallMs: performance.now() - started }),
    );
  });
}

function mustSucceed(label: string, result: CliRun): void {
  if (result.code !== 0)
    throw new Error(`${label} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
}

/** `ecs:DescribeServices x3, ecs:ListServices` in first-seen order. */
function tally(calls: readonly AwsCall[]): string {
  const counts = new Map<string, number>();
  for (const call of calls) counts.set(call.operation, (counts.get(call.operation) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n === 1 ? op : `${op} x${n}`)).join(', ') || '(none)';
}

const count = (calls: readonly AwsCall[], operation: string) =>
  calls.filter((call) => call.operation === operation).length;

// --- scenarios -------------------------------------------------------------------------------------

const alive = await fetch(`${MOTO}/moto-api/`).then(
  (response) => response.ok,
  () => false,
);
if (!alive) {
  console.error(`moto doesn't answer at ${MOTO}. Start the test stack: bash scripts/test-stack.sh up`);
  process.exit(1);
}

console.log(`## AWS calls (${new Date().toISOString().slice(0, 16)}Z)\n`);
console.log(`${machineLine()}${smoke ? ' — SMOKE MODE' : ''}\n`);
const budgets = new Budgets();
const proxy = await startAwsProxy(MOTO);
const rows: string[][] = [];
try {
  // app deploy: a new tag, then a new image for the same tag.
  const { env } = await seedEnvironment();
  const repository = uniqueName('whoami');
  await moto.createRepository(clients, repository);
  await moto.putImage(clients, repository, 'v1', 'first');
  const project = mkdtempSync(path.join(benchDir, 'deploy-'));
  writeFileSync(
    path.join(project, 'traefikctl.config.yaml'),
    `domain: example.com\nenvironment: ${env}\napps:\n  whoami:\n    repository: ${repository}\n    port: 80\n`,
  );
  const polls = 3;
  for (const [label, seed] of [
    ['app deploy (new tag)', 'first'],
    ['app deploy (same tag, new image)', 'second'],
  ] as const) {
    if (seed === 'second') await moto.putImage(clients, repository, 'v1', seed);
    proxy.holdRollouts(polls);
    const result = await cli(
      proxy,
      ['app', 'deploy', 'whoami', '--tag', 'v1', '--skip-probe', '--json'],
      project,
    );
    mustSucceed(label, result);
    const write = result.calls.findIndex(
      (c) => c.operation === 'ecs:CreateService' || c.operation === 'ecs:UpdateService',
    );
    const firstPoll = result.calls.findIndex((c, i) => i > write && c.operation === 'ecs:DescribeServices');
    if (write === -1 || firstPoll === -1)
      throw new Error(`${label}: no service write or no poll: ${tally(result.calls)}`);
    const before = result.calls.slice(0, firstPoll);
    const waiting = result.calls.slice(firstPoll);
    const pollCount = count(waiting, 'ecs:DescribeServices');
    rows.push([
      label,
      `before the rollout wait (whole command ${(result.wallMs / 1000).toFixed(1)} s)`,
      String(before.length),
      tally(before),
    ]);
    rows.push([
      label,
      `rollout wait (${pollCount} polls)`,
      (waiting.length / pollCount).toFixed(1) + ' per poll',
      tally(waiting),
    ]);
    const listTasks = count(waiting, 'ecs:ListTasks');
    budgets.check(
      `${label}: one DescribeServices and at most one ListTasks per poll, nothing else`,
      waiting.length === pollCount + listTasks && listTasks <= pollCount && pollCount === polls + 1,
      `${waiting.length} calls over ${pollCount} polls (${listTasks} ListTasks)`,
    );
  }

  // app urls over N services.
  for (const services of smoke ? [10, 30] : [10, 200, 1_000]) {
    const seeded = await seedEnvironment();
    const started = performance.now();
    await seedServices(seeded.env, seeded.cluster, services);
    const seedSeconds = ((performance.now() - started) / 1000).toFixed(0);
    const dir = mkdtempSync(path.join(benchDir, 'urls-'));
    writeFileSync(
      path.join(dir, 'traefikctl.config.yaml'),
      `domain: example.com\nenvironment: ${seeded.env}\n`,
    );
    const result = await cli(proxy, ['app', 'urls', '--json'], dir);
    mustSucceed(`app urls over ${services}`, result);
    const listed = (JSON.parse(result.stdout) as { deployments: unknown[] }).deployments.length;
    if (listed !== services) throw new Error(`app urls listed ${listed} deployments, not ${services}`);
    const describe = count(result.calls, 'ecs:DescribeServices');
    const list = count(result.calls, 'ecs:ListServices');
    const maxDescribe = Math.ceil(services / 10);
    const maxList = Math.ceil(services / 100);
    rows.push([
      `app urls (${services.toLocaleString('en')} services)`,
      `whole command, ${(result.wallMs / 1000).toFixed(1)} s (seeding took ${seedSeconds} s)`,
      String(result.calls.length),
      tally(result.calls),
    ]);
    budgets.check(
      `app urls over ${services.toLocaleString('en')} services: <= ${maxDescribe} DescribeServices + ${maxList} ListServices`,
      describe <= maxDescribe && list <= maxList,
      `${describe} DescribeServices, ${list} ListServices`,
    );
  }

  // image push: docker build, ECR login, push to the test registry.
  const app = uniqueName('push');
  const context = mkdtempSync(path.join(benchDir, 'push-'));
  writeFileSync(
    path.join(context, 'traefikctl.config.yaml'),
    `registry: ${REGISTRY}\napps:\n  ${app}:\n    port: 80\n`,
  );
  copyFileSync('/bin/busybox', path.join(context, 'busybox'));
  writeFileSync(
    path.join(context, 'Dockerfile'),
    'FROM scratch\nCOPY busybox /bin/busybox\nCMD ["/bin/busybox", "httpd", "-f", "-p", "80"]\n',
  );
  const push = await cli(proxy, ['image', 'push', app, '--tag', 'v1', '--json'], context);
  mustSucceed('image push', push);
  rows.push([
    'image push (new repository)',
    `whole command, ${(push.wallMs / 1000).toFixed(1)} s`,
    String(push.calls.length),
    tally(push.calls),
  ]);
  const again = await cli(proxy, ['image', 'push', app, '--tag', 'v2', '--json'], context);
  mustSucceed('image push again', again);
  rows.push([
    'image push (existing repository)',
    `whole command, ${(again.wallMs / 1000).toFixed(1)} s`,
    String(again.calls.length),
    tally(again.calls),
  ]);
} finally {
  await proxy.close();
  for (const client of [ecs, ecr, ec2, cfn, logs]) client.destroy();
}

console.log(table(['command', 'phase', 'AWS calls', 'by operation'], rows));
console.log();
budgets.finish();
if (ownDir) rmSync(benchDir, { recursive: true, force: true });
