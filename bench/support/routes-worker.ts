/**
 * The in-process half of bench/routes-scale.ts, run as its own process (so that the Traefik stub in
 * the parent never competes with it for the event loop):
 *
 *   node --expose-gc --import bench/support/register.ts bench/support/routes-worker.ts '<json options>'
 *
 * - `pipeline`: what `routes --json` does once its flags are parsed (every page of every list read
 *   and validated by the TraefikClient, joined with N deployments, filtered, serialised) against a
 *   bare loop of fetch calls over the same pages, interleaved, in this one process.
 * - `watch`: `watchRoutes` (the loop behind `routes --watch`) with the plain renderer's per-refresh
 *   work, for many refreshes: the cost of one refresh and the heap after GC as refreshes go by.
 *
 * The library is the compiled one in <dist> (the CLI build the bench times), not src/.
 * Prints one JSON line.
 */
import { pathToFileURL } from 'node:url';
import path from 'node:path';

import type * as FilterModule from '../../src/lib/routes/filter.js';
import type * as JsonOutputModule from '../../src/ui/json-output.js';
import type { DeploymentRecord } from '../../src/lib/model.js';
import type * as SourceModule from '../../src/lib/routes/source.js';
import type * as WatchModule from '../../src/lib/routes/watch.js';
import type * as ClientModule from '../../src/lib/traefik/client.js';
import type * as WatchLinesModule from '../../src/ui/routes/watch-lines.js';
import { fetchAll } from './bare-fetch.js';
import { median } from './stats.js';
import { deploymentName, hostOf } from './traefik-stub.js';

interface Options {
  mode: 'pipeline' | 'watch';
  url: string;
  dist: string;
  count: number;
  /** pipeline: interleaved rounds. */
  rounds?: number;
  /** watch: refreshes to run, and every how many to sample the heap. */
  refreshes?: number;
  sampleEvery?: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as Options;
const fromDist = async <T>(file: string): Promise<T> =>
  (await import(pathToFileURL(path.join(options.dist, file)).href)) as T;

const { createRoutesSource } = await fromDist<typeof SourceModule>('lib/routes/source.js');
const { TraefikClient } = await fromDist<typeof ClientModule>('lib/traefik/client.js');
const { filterRoutes } = await fromDist<typeof FilterModule>('lib/routes/filter.js');
const { jsonChunks } = await fromDist<typeof JsonOutputModule>('ui/json-output.js');

const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

// Every router has its ECS deployment, as in a cluster that traefikctl manages entirely.
const deployments: DeploymentRecord[] = Array.from({ length: options.count }, (_, i) => ({
  app: `app${Math.floor(i / 10)}`,
  tag: `v${i % 10}`,
  env: 'bench',
  host: hostOf(i),
  service: deploymentName(i),
  deployedAt: '2026-11-01T12:00:00.000Z',
}));

const source = createRoutesSource({
  env: 'bench',
  client: (signal) => new TraefikClient({ apiUrl: options.url, signal }),
  deployments: () => Promise.resolve(deployments),
});

/**
 * `routes --json` without the CLI around it: the routes, filtered, as the JSON text it prints in a
 * pipe, in the pieces BaseCommand.logJson writes (counted here rather than written).
 */
async function routesJson(): Promise<number> {
  const snapshot = await source.snapshot();
  const routes = filterRoutes(snapshot.routes, {});
  let length = 0;
  for (const piece of jsonChunks(routes)) length += piece.length;
  return length;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

if (options.mode === 'pipeline') {
  // The pages the pipeline reads, recorded once, are the bare loop's pages.
  const urls: string[] = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => {
    urls.push(input instanceof Request ? input.url : String(input));
    return realFetch(input, init);
  };
  const bytes = await routesJson();
  globalThis.fetch = realFetch;
  const routeCount = (await source.snapshot()).routes.length;
  await fetchAll(urls); // warm-up

  const pipeline: number[] = [];
  const bare: number[] = [];
  for (let round = 0; round < (options.rounds ?? 10); round++) {
    gc();
    if (round % 2 === 0) {
      pipeline.push(await timed(routesJson));
      bare.push(await timed(() => fetchAll(urls)));
    } else {
      bare.push(await timed(() => fetchAll(urls)));
      pipeline.push(await timed(routesJson));
    }
  }
  process.stdout.write(
    `${JSON.stringify({
      routes: routeCount,
      pages: urls.length,
      urls,
      jsonBytes: bytes,
      pipelineMs: median(pipeline),
      bareMs: median(bare),
      rounds: pipeline.length,
    })}\n`,
  );
} else {
  const { watchRoutes } = await fromDist<typeof WatchModule>('lib/routes/watch.js');
  const { WatchLines } = await fromDist<typeof WatchLinesModule>('ui/routes/watch-lines.js');
  const refreshes = options.refreshes ?? 50;
  const every = options.sampleEvery ?? 5;
  const controller = new AbortController();
  const lines = new WatchLines({});
  const durations: number[] = [];
  const heap: { refresh: number; bytes: number }[] = [];
  let ticks = 0;
  let plannedStart: number | undefined;
  let printed = 0;
  await watchRoutes(source, {
    // The watch rests twice the last refresh's time between refreshes (nextDelay): no extra sleep.
    intervalMs: 0,
    signal: controller.signal,
    onTick: (tick) => {
      const now = Date.now();
      if (tick.error !== undefined) throw tick.error;
      // What the plain renderer does with every refresh (the lines are counted, not printed).
      const out = lines.lines(tick, now);
      printed += out.stdout.length + out.stderr.length;
      ticks++;
      if (plannedStart !== undefined) durations.push(now - plannedStart);
      plannedStart = tick.nextAt;
      if (ticks % every === 0) {
        gc();
        heap.push({ refresh: ticks, bytes: process.memoryUsage().heapUsed });
      }
      if (ticks >= refreshes) controller.abort();
    },
  });
  process.stdout.write(
    `${JSON.stringify({ refreshes: ticks, refreshMs: median(durations), heap, printedLines: printed })}\n`,
  );
}
