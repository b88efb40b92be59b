/**
 * What the bcrypt cost of the Traefik API password (src/lib/cluster/password.ts, API_PASSWORD_COST)
 * costs every API request: Traefik's basicAuth checks the hash on every request and caches nothing,
 * so each `routes` page, `status` refresh and `app deploy` route poll pays it, and so does every
 * request with a wrong password that anyone on the internet can send to `traefik.<env>.<domain>`,
 * on the same CPU that routes the env's apps.
 *
 * For each cost, with the real Traefik binary of the test stack ($TRAEFIKCTL_TEST_TRAEFIK) serving
 * its API behind basicAuth exactly as `cluster up` configures it (a router to api@internal with the
 * basicAuth middleware; the file provider instead of ECS labels):
 * - the hash's own time in Node (bcryptjs: what `cluster up` spends, once per password);
 * - API request latency, one request at a time, with Traefik free to use a core;
 * - the same with Traefik held to 0.25 vCPU (a cgroup CPU quota of 25 ms per 100 ms, what the
 *   stack's default TraefikCpu of 256 units gives a Fargate task), when this process may create
 *   cgroups (root); and how many wrong passwords per second it then refuses with 4 in flight;
 * - Traefik's CPU time per request (all its threads' schedstat): a refused request costs the same.
 * "none" is the API router without the middleware: what the rest of the request costs.
 *
 *   eval "$(bash scripts/test-stack.sh env)"
 *   node --import ./bench/support/register.ts bench/bcrypt-cost.ts
 *   BENCH_SMOKE=1 ...   costs 5 and 10, a few requests each
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import bcrypt from 'bcryptjs';

import { freePort } from '../test/support/traefik-process.js';
import { machineLine, median, ms, smoke, table } from './support/stats.js';

const BINARY = process.env.TRAEFIKCTL_TEST_TRAEFIK;
const COSTS: (number | 'none')[] = smoke ? ['none', 5, 10] : ['none', 4, 5, 8, 9, 10, 11, 12];
/** How often `routes --watch` reads Traefik by default (src/commands/routes/index.ts). */
const WATCH_INTERVAL_MS = 2_000;
/** The requests of one read of Traefik's state, sent at once (src/lib/traefik/state.ts). */
const READ_REQUESTS = 6;
/** Requests per measurement: fewer where each one is slow, so a run stays within minutes. */
const requestsFor = (cost: number | 'none', limited: boolean): number => {
  if (smoke) return 5;
  const slow = cost !== 'none' && cost >= 11;
  return limited ? (slow ? 12 : 30) : slow ? 30 : 60;
};
const QUOTA = { period: 100_000, quota: 25_000 };

interface CpuLimit {
  add(pid: number): void;
  remove(): void;
}

/** A cgroup (v2, else v1's cpu controller) with a quota of 0.25 CPU, or undefined when we may not make one. */
function quarterCpu(): CpuLimit | undefined {
  const name = `traefikctl-bench-${process.pid}`;
  const v2 = '/sys/fs/cgroup/cgroup.controllers';
  const v1 = '/sys/fs/cgroup/cpu/cpu.cfs_quota_us';
  try {
    if (existsSync(v2) && readFileSync(v2, 'utf8').includes('cpu')) {
      const dir = `/sys/fs/cgroup/${name}`;
      mkdirSync(dir);
      writeFileSync(`${dir}/cpu.max`, `${QUOTA.quota} ${QUOTA.period}`);
      return {
        add: (pid) => writeFileSync(`${dir}/cgroup.procs`, String(pid)),
        remove: () => rmdirSync(dir),
      };
    }
    if (existsSync(v1)) {
      const dir = `/sys/fs/cgroup/cpu/${name}`;
      mkdirSync(dir);
      writeFileSync(`${dir}/cpu.cfs_period_us`, String(QUOTA.period));
      writeFileSync(`${dir}/cpu.cfs_quota_us`, String(QUOTA.quota));
      return {
        add: (pid) => writeFileSync(`${dir}/cgroup.procs`, String(pid)),
        remove: () => rmdirSync(dir),
      };
    }
  } catch {
    // Not root, or a read-only cgroup mount: the quarter-CPU rows are left out.
  }
  return undefined;
}

/** CPU time of every thread of `pid` so far, in ms (schedstat: nanoseconds, unlike /proc/<pid>/stat's ticks). */
function cpuMs(pid: number): number {
  let total = 0;
  for (const task of readdirSync(`/proc/${pid}/task`)) {
    const text = readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8');
    total += Number(text.split(' ')[0]) / 1e6;
  }
  return total;
}

interface Traefik {
  api: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** The API behind basicAuth with `hash` (or no middleware for undefined), as `cluster up` routes it. */
async function startTraefik(hash: string | undefined): Promise<Traefik> {
  if (BINARY === undefined)
    throw new Error('TRAEFIKCTL_TEST_TRAEFIK is not set: eval "$(bash scripts/test-stack.sh env)"');
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-bench-bcrypt-'));
  const dynamic = {
    http: {
      routers: {
        api: {
          rule: 'PathPrefix(`/api`)',
          entryPoints: ['web'],
          service: 'api@internal',
          ...(hash === undefined ? {} : { middlewares: ['api-auth'] }),
        },
      },
      ...(hash === undefined
        ? {}
        : { middlewares: { 'api-auth': { basicAuth: { users: [`admin:${hash}`], removeHeader: true } } } }),
    },
  };
  await writeFile(path.join(dir, 'api.yaml'), JSON.stringify(dynamic));
  const [web, ping] = [await freePort(), await freePort()];
  const child = spawn(
    BINARY,
    [
      `--entryPoints.web.address=127.0.0.1:${web}`,
      `--entryPoints.traefik.address=127.0.0.1:${ping}`,
      '--global.checkNewVersion=false',
      '--global.sendAnonymousUsage=false',
      '--ping=true',
      '--api=true',
      '--api.dashboard=false',
      `--providers.file.directory=${dir}`,
      '--log.level=ERROR',
    ],
    { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: tmpdir() }, stdio: 'ignore' },
  );
  const api = `http://127.0.0.1:${web}/api/version`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(dir, { recursive: true, force: true });
  };
  // Ready once the API router answers at all (401 without credentials): the file is read.
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const status = await fetch(api, { signal: AbortSignal.timeout(1_000) }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === (hash === undefined ? 200 : 401)) return { api, child, stop };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error('Traefik did not serve its API within 20 s');
}

async function get(api: string, authorization: string, expected = 200): Promise<number> {
  const started = performance.now();
  const response = await fetch(api, { headers: { authorization }, signal: AbortSignal.timeout(30_000) });
  await response.arrayBuffer();
  if (response.status !== expected) throw new Error(`the API answered ${response.status}, not ${expected}`);
  return performance.now() - started;
}

const basic = (secret: string): string => `Basic ${Buffer.from(`admin:${secret}`).toString('base64')}`;

interface Run {
  p50: number;
  p95: number;
  cpuPerRequest: number;
  /** One read of Traefik's state as `routes` and `status` make it: its wall time and Traefik's CPU. */
  read?: { wall: number; cpu: number };
  /**
   * Refused requests per second with 4 in flight, each with another wrong password: what a stranger
   * can make Traefik spend. (Identical requests in flight share one check, Traefik's singleflight,
   * so they would understate it.)
   */
  refusedPerSecond?: number;
}

async function measure(
  traefik: Traefik,
  authorization: string,
  requests: number,
  burst: boolean,
  guarded: boolean,
): Promise<Run> {
  const pid = traefik.child.pid ?? 0;
  for (let i = 0; i < 3; i++) await get(traefik.api, authorization);
  const cpuBefore = cpuMs(pid);
  const latencies: number[] = [];
  for (let i = 0; i < requests; i++) latencies.push(await get(traefik.api, authorization));
  const cpuPerRequest = (cpuMs(pid) - cpuBefore) / requests;
  latencies.sort((a, b) => a - b);
  const run: Run = {
    p50: median(latencies),
    p95: latencies[Math.min(latencies.length - 1, Math.ceil(latencies.length * 0.95) - 1)] ?? Number.NaN,
    cpuPerRequest,
  };
  if (burst) {
    // Concurrent requests with the same credentials share one check (singleflight), as a read's do.
    const walls: number[] = [];
    const cpuAtStart = cpuMs(pid);
    const rounds = smoke ? 2 : 5;
    for (let round = 0; round < rounds; round++) {
      const started = performance.now();
      await Promise.all(Array.from({ length: READ_REQUESTS }, () => get(traefik.api, authorization)));
      walls.push(performance.now() - started);
    }
    run.read = { wall: median(walls), cpu: (cpuMs(pid) - cpuAtStart) / rounds };
  }
  if (burst && guarded) {
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (next < requests) {
          next += 1;
          await get(traefik.api, basic(`wrong-${next}`), 401);
        }
      }),
    );
    run.refusedPerSecond = requests / ((performance.now() - started) / 1000);
  }
  return run;
}

// As src/lib/cluster/password.ts generates it (bench/ runs from source, which can't load src/ here).
const password = randomBytes(24).toString('base64url');
const authorization = basic(password);
const limit = quarterCpu();
console.log(`bcrypt cost vs Traefik API latency: ${machineLine()}`);
console.log(
  `Traefik ${BINARY ?? '(not set)'}; quarter-CPU rows: ${limit ? 'cgroup quota 25 ms / 100 ms' : 'not measured (needs root and a cgroup CPU controller)'}\n`,
);

// Warm bcryptjs up (JIT) so that the first cost's hash time isn't mostly compilation.
bcrypt.hashSync(password, 4);
const rows: string[][] = [];
try {
  for (const cost of COSTS) {
    const hashStarted = performance.now();
    const hash = cost === 'none' ? undefined : bcrypt.hashSync(password, cost);
    const hashMs = performance.now() - hashStarted;
    if (hash !== undefined && !bcrypt.compareSync(password, hash))
      throw new Error(`bcryptjs can't verify its cost ${cost} hash`);

    const free = await startTraefik(hash);
    let one: Run;
    try {
      one = await measure(free, authorization, requestsFor(cost, false), false, hash !== undefined);
    } finally {
      await free.stop();
    }
    let quarter: Run | undefined;
    if (limit) {
      const held = await startTraefik(hash);
      try {
        limit.add(held.child.pid ?? 0);
        quarter = await measure(held, authorization, requestsFor(cost, true), true, hash !== undefined);
      } finally {
        await held.stop();
      }
    }
    rows.push([
      String(cost),
      cost === 'none' ? '-' : ms(hashMs),
      `${ms(one.p50)} / ${ms(one.p95)}`,
      ms(one.cpuPerRequest),
      quarter ? `${ms(quarter.p50)} / ${ms(quarter.p95)}` : '-',
      quarter?.read === undefined ? '-' : `${ms(quarter.read.wall)}, CPU ${ms(quarter.read.cpu)}`,
      quarter?.read === undefined
        ? '-'
        : `${((quarter.read.cpu / WATCH_INTERVAL_MS / (QUOTA.quota / QUOTA.period)) * 100).toFixed(1)}%`,
      quarter?.refusedPerSecond === undefined ? '-' : `${quarter.refusedPerSecond.toFixed(1)}/s`,
    ]);
    console.log(`cost ${cost}: done`);
  }
} finally {
  limit?.remove();
}

console.log(
  `\n${table(
    [
      'cost',
      'hash in Node (once)',
      'API p50 / p95, 1 core',
      'Traefik CPU per request',
      'API p50 / p95, 0.25 vCPU',
      `one read (${READ_REQUESTS} requests at once), 0.25 vCPU`,
      'routes --watch: share of the 0.25 vCPU',
      'wrong passwords refused/s, 0.25 vCPU',
    ],
    rows,
  )}`,
);
