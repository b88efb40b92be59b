/**
 * `routes` at scale (DESIGN.md budgets): 1,000 and 10,000 routers and services on a local Traefik
 * stand-in (bench/support/traefik-stub.ts, Traefik's pagination, shapes from the real captures).
 *
 * 1. Pipeline: what `routes --json` does (read and validate every page, join with one ECS
 *    deployment per router, serialise) against a bare loop of fetch calls over the same pages, both
 *    in one worker process, interleaved. Budget at 10,000: under 2x.
 * 2. End to end: `traefikctl routes --json` (the built CLI, AWS pointed at the stub, which has no
 *    cluster) against the bare loop in its own `node` process: wall time, peak RSS, output checked.
 * 3. Watch: one `--watch` refresh (snapshot, diff, the plain renderer's lines) with 10 servers
 *    changing state per refresh, and the heap after GC over many refreshes. Budget: flat.
 * 4. (Full mode) `traefikctl routes --watch` itself for a minute: its heap after GC, sampled by a
 *    hook loaded into the CLI process (bench/support/heap-monitor.ts).
 *
 *   node --import ./bench/support/register.ts bench/routes-scale.ts
 *   BENCH_SMOKE=1 ...   small N, few rounds, budgets reported but not enforced
 *
 * Needs a CLI build: BENCH_CLI_DIR (from bench/support/build-cli.sh), else one is made in BENCH_DIR.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { Budgets, machineLine, median, mib, ms, ratio, slope, smoke, table } from './support/stats.js';
import { startTraefikStub, type TraefikStub } from './support/traefik-stub.js';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.dirname(BENCH);
const REGISTER = path.join(BENCH, 'support/register.ts');
const REPORT_USAGE = path.join(BENCH, 'support/report-usage.ts');
const HEAP_MONITOR = path.join(BENCH, 'support/heap-monitor.ts');

const benchDir = process.env.BENCH_DIR ?? mkdtempSync(path.join(tmpdir(), 'traefikctl-bench.'));
const ownDir = process.env.BENCH_DIR === undefined;
let cliDir = process.env.BENCH_CLI_DIR;
if (cliDir === undefined) {
  cliDir = path.join(benchDir, 'cli');
  execFileSync('bash', [path.join(BENCH, 'support/build-cli.sh'), cliDir], { stdio: 'inherit' });
}
const BIN = path.join(cliDir, 'manifest/bin/run.js');
const DIST = path.join(cliDir, 'lib');

const sizes = smoke ? [200] : [1_000, 10_000];
const pipelineRounds = smoke ? 3 : 15;
const cliRounds = smoke ? 2 : 7;

interface Usage {
  wallMs: number;
  maxRssBytes: number;
  cpuMs: number;
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Runs `node <args>` with the usage reporter; wall time from spawn to exit. */
function runNode(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Usage> {
  const out = path.join(benchDir, `usage-${process.pid}-${Math.random().toString(36).slice(2)}.json`);
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_USAGE, ...args], {
      cwd,
      env: { ...env, BENCH_USAGE_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      try {
        const usage = JSON.parse(readFileSync(out, 'utf8')) as { maxRssBytes: number; cpuMs: number };
        rmSync(out, { force: true });
        resolve({
          wallMs,
          ...usage,
          stdout: Buffer.concat(stdout).toString(),
          stderr: Buffer.concat(stderr).toString(),
          code,
        });
      } catch (error) {
        reject(
          new Error(`node ${args.join(' ')} exited ${code}: ${Buffer.concat(stderr).toString()}`, {
            cause: error,
          }),
        );
      }
    });
  });
}

/** The environment of a CLI run: AWS pointed at the stub with dummy keys, nothing of the user's. */
function cliEnv(stub: TraefikStub): NodeJS.ProcessEnv {
  const home = path.join(benchDir, 'home');
  mkdirSync(home, { recursive: true });
  const keep = ['PATH', 'TMPDIR', 'LANG', 'XDG_CACHE_HOME', 'XDG_CONFIG_HOME', 'XDG_DATA_HOME'];
  return {
    ...Object.fromEntries(keep.filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]])),
    HOME: home,
    CI: 'true',
    TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: stub.url,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

async function worker(stub: TraefikStub, options: Record<string, unknown>): Promise<unknown> {
  const result = await runNode(
    [
      '--expose-gc',
      '--import',
      REGISTER,
      path.join(BENCH, 'support/routes-worker.ts'),
      JSON.stringify({ url: stub.url, dist: DIST, count: stub.count, ...options }),
    ],
    process.env,
    ROOT,
  );
  if (result.code !== 0) throw new Error(`routes worker failed: ${result.stderr}`);
  const lines = result.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1] ?? '{}');
}

/**
 * A running `traefikctl routes --watch`: its heap after a full GC (and RSS) every 2 s, from a hook
 * loaded into the CLI process itself, until it has refreshed `seconds` long.
 */
async function watchCli(
  stub: TraefikStub,
  seconds: number,
  cwd: string,
): Promise<{ samples: { t: number; heap: number; rss: number }[]; lines: number }> {
  const out = path.join(benchDir, `heap-${stub.count}.jsonl`);
  rmSync(out, { force: true });
  const child = spawn(
    process.execPath,
    [
      '--expose-gc',
      '--import',
      HEAP_MONITOR,
      BIN,
      'routes',
      '--watch',
      '--interval',
      '250ms',
      '--api-url',
      stub.url,
      '--env',
      'bench',
    ],
    { cwd, env: { ...cliEnv(stub), BENCH_HEAP_OUT: out }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let lines = 0;
  child.stdout.on('data', (chunk: Buffer) => (lines += chunk.toString().split('\n').length - 1));
  child.stderr.resume();
  const closed = new Promise((resolve) => child.once('close', resolve));
  await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
  child.kill('SIGINT');
  await closed;
  const samples = readFileSync(out, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { t: number; heap: number; rss: number });
  return { samples, lines };
}

console.log(`## routes at scale (${new Date().toISOString().slice(0, 16)}Z)\n`);
console.log(`${machineLine()}${smoke ? ' — SMOKE MODE: small N, few rounds' : ''}\n`);

const budgets = new Budgets();
const cwd = mkdtempSync(path.join(benchDir, 'cwd-')); // no traefikctl config here
const pipelineRows: string[][] = [];
const cliRows: string[][] = [];
const watchRows: string[][] = [];
let watchCliLine: string | undefined;

for (const count of sizes) {
  const stub = await startTraefikStub(count);
  try {
    if (count === sizes[0]) console.log(`Item shapes: ${stub.shapes}\n`);
    // 1. In one process: the routes pipeline against the bare fetch loop.
    const pipeline = (await worker(stub, { mode: 'pipeline', rounds: pipelineRounds })) as {
      routes: number;
      pages: number;
      urls: string[];
      jsonBytes: number;
      pipelineMs: number;
      bareMs: number;
      rounds: number;
    };
    const pipelineRatio = pipeline.pipelineMs / pipeline.bareMs;
    pipelineRows.push([
      count.toLocaleString('en'),
      String(pipeline.pages),
      ms(pipeline.bareMs),
      ms(pipeline.pipelineMs),
      ratio(pipelineRatio),
      mib(pipeline.jsonBytes),
    ]);
    if (pipeline.routes !== count)
      throw new Error(`the pipeline saw ${pipeline.routes} routes, not ${count}`);
    if (count >= 10_000 || smoke) {
      budgets.check(
        `routes pipeline over ${count.toLocaleString('en')} routers < 2x bare fetch`,
        pipelineRatio < 2,
        `${ratio(pipelineRatio)} (${ms(pipeline.pipelineMs)} vs ${ms(pipeline.bareMs)}, medians of ${pipeline.rounds})`,
      );
    }

    // 2. End to end: the CLI against the bare loop in its own process, interleaved.
    const urlsFile = path.join(benchDir, `urls-${count}.txt`);
    writeFileSync(urlsFile, `${pipeline.urls.join('\n')}\n`);
    const env = cliEnv(stub);
    const cli: Usage[] = [];
    const bare: Usage[] = [];
    const runCli = () =>
      runNode([BIN, 'routes', '--json', '--api-url', stub.url, '--env', 'bench'], env, cwd);
    const runBare = () =>
      runNode(['--import', REGISTER, path.join(BENCH, 'support/fetch-loop.ts'), urlsFile], env, cwd);
    await runCli(); // warm-up: compile cache, page cache, the stub's page bodies
    for (let round = 0; round < cliRounds; round++) {
      if (round % 2 === 0) {
        cli.push(await runCli());
        bare.push(await runBare());
      } else {
        bare.push(await runBare());
        cli.push(await runCli());
      }
    }
    for (const run of cli) {
      if (run.code !== 0) throw new Error(`routes --json exited ${run.code}: ${run.stderr}`);
      const printed = (JSON.parse(run.stdout) as unknown[]).length;
      if (printed !== count) throw new Error(`routes --json printed ${printed} routes, not ${count}`);
    }
    const cliWall = median(cli.map((r) => r.wallMs));
    const bareWall = median(bare.map((r) => r.wallMs));
    cliRows.push([
      count.toLocaleString('en'),
      ms(bareWall),
      ms(cliWall),
      ratio(cliWall / bareWall),
      ms(median(cli.map((r) => r.cpuMs))),
      mib(Math.max(...bare.map((r) => r.maxRssBytes))),
      mib(Math.max(...cli.map((r) => r.maxRssBytes))),
      mib(Buffer.byteLength(cli[0]?.stdout ?? '')),
    ]);

    // 3. Watch refreshes in the worker: cost per refresh, heap after GC.
    stub.churnPerRefresh = 10;
    const refreshes = smoke ? 12 : count >= 10_000 ? 60 : 200;
    const watch = (await worker(stub, { mode: 'watch', refreshes, sampleEvery: smoke ? 3 : 10 })) as {
      refreshes: number;
      refreshMs: number;
      heap: { refresh: number; bytes: number }[];
      printedLines: number;
    };
    stub.churnPerRefresh = 0;
    // The first samples include warm-up (JIT, the first previous-refresh map); judge the rest.
    const settled = watch.heap.slice(1);
    const first = settled[0]?.bytes ?? 0;
    const last = settled[settled.length - 1]?.bytes ?? 0;
    const perRefresh = slope(
      settled.map((s) => s.refresh),
      settled.map((s) => s.bytes),
    );
    watchRows.push([
      count.toLocaleString('en'),
      String(watch.refreshes),
      ms(watch.refreshMs),
      mib(first),
      mib(last),
      `${(perRefresh / 1024).toFixed(1)} KiB`,
      String(watch.printedLines),
    ]);
    budgets.check(
      `watch heap flat over ${watch.refreshes} refreshes of ${count.toLocaleString('en')} routers`,
      last <= first * 1.1 + 1024 * 1024,
      `${mib(first)} after refresh ${settled[0]?.refresh ?? '?'}, ${mib(last)} after refresh ${settled[settled.length - 1]?.refresh ?? '?'}`,
    );

    // 4. The real --watch process (full mode, 1,000 routers): heap after GC over a minute.
    if (!smoke && count === 1_000) {
      stub.churnPerRefresh = 10;
      const { samples, lines } = await watchCli(stub, 60, cwd);
      stub.churnPerRefresh = 0;
      const quarter = Math.max(1, Math.floor(samples.length / 4));
      const early = median(samples.slice(quarter, 2 * quarter).map((s) => s.heap));
      const late = median(samples.slice(-quarter).map((s) => s.heap));
      const rss = median(samples.slice(-quarter).map((s) => s.rss));
      watchCliLine =
        `traefikctl routes --watch --interval 250ms over 1,000 routers for 60 s (${lines} lines printed): ` +
        `heap after GC ${mib(early)} (second quarter, median) -> ${mib(late)} (last quarter), RSS ${mib(rss)}.`;
      budgets.check(
        'routes --watch (CLI) heap flat over 60 s',
        late <= early * 1.1 + 1024 * 1024,
        `${mib(early)} -> ${mib(late)}`,
      );
    }
  } finally {
    await stub.close();
  }
}

console.log(
  `### routes pipeline vs bare fetch, one process (medians of ${pipelineRounds} interleaved rounds)\n`,
);
console.log(
  table(['routers', 'pages', 'bare fetch loop', 'routes pipeline', 'ratio', 'JSON out'], pipelineRows),
);
console.log(`\n### traefikctl routes --json, end to end (medians of ${cliRounds} interleaved runs)\n`);
console.log(
  table(
    [
      'routers',
      'bare loop (node)',
      'routes --json',
      'ratio',
      'CPU',
      'peak RSS bare',
      'peak RSS routes',
      'stdout',
    ],
    cliRows,
  ),
);
console.log('\n### routes --watch refreshes (10 servers change state per refresh)\n');
console.log(
  table(
    ['routers', 'refreshes', 'one refresh', 'heap (early)', 'heap (end)', 'heap per refresh', 'lines'],
    watchRows,
  ),
);
if (watchCliLine !== undefined) console.log(`\n${watchCliLine}`);
console.log();
budgets.finish();
if (ownDir) rmSync(benchDir, { recursive: true, force: true });
