import { setTimeout as sleep } from 'node:timers/promises';

import { nextDelay } from '../routes/watch.js';
import type { EnvStatus, EnvStatusSource, StatusDeployment } from './env.js';

export interface StatusTick {
  /** The last good read; kept while reads fail. */
  status: EnvStatus | undefined;
  error: Error | undefined;
  nextAt: number;
}

/**
 * Reads the status until `signal` aborts: never overlapping, backing off while reads fail (the
 * same schedule as `routes --watch`), keeping only the last good read.
 */
export async function watchStatus(
  source: EnvStatusSource,
  options: {
    intervalMs: number;
    signal: AbortSignal;
    onTick: (tick: StatusTick) => void;
    now?: () => number;
  },
): Promise<void> {
  const now = options.now ?? Date.now;
  let status: EnvStatus | undefined;
  let failures = 0;
  let lastDuration = 0;
  while (!options.signal.aborted) {
    const started = now();
    let error: Error | undefined;
    try {
      status = await source.read();
      failures = 0;
      lastDuration = now() - started;
    } catch (caught) {
      if (options.signal.aborted) break;
      failures++;
      error = caught instanceof Error ? caught : new Error(String(caught));
    }
    const delay = nextDelay(options.intervalMs, lastDuration, failures);
    options.onTick({ status, error, nextAt: now() + delay });
    await sleep(delay, undefined, { signal: options.signal }).catch(() => undefined);
  }
}

/** What a deployment row says, minus the clock: a change of it is worth a line. */
export function rowSignature(row: StatusDeployment): string {
  const route =
    row.route === undefined ? '?' : `${row.route.status} ${row.route.serversUp}/${row.route.serversTotal}`;
  return `${row.rollout ?? '-'} ${row.running}/${row.desired} ${route} ${row.problems.join('; ')}`;
}
