import { setTimeout as sleepFor } from 'node:timers/promises';

import { isAbortError } from '../../aws/abort.js';

/**
 * The one poller that every wait of traefikctl goes through (rollout, route discovery, URL probe, and
 * anything else that watches AWS or Traefik): jittered, so that twenty CI jobs deploying at once don't
 * call DescribeServices in lockstep, and backing off exponentially when the API throttles us, so that
 * a throttling storm slows us down instead of making it worse (anchors.md §0.8: a fixed 1 s poll with
 * several calls per poll is what made ecs-deploy throttle).
 *
 * Delays use "equal jitter": with `cap = min(max, interval * 2^throttles)`, each wait is uniform in
 * [cap/2, cap]. The lowest wait after one more throttle (`cap`) is the highest wait before it, so the
 * waits never shrink while throttling goes on, whatever the random draws.
 */

export interface PollerOptions {
  /** The wait between two polls when nothing is throttled; each wait is in [interval/2, interval]. */
  intervalMs?: number;
  /** The longest wait, however long the throttling goes on. */
  maxIntervalMs?: number;
  signal?: AbortSignal | undefined;
  /** For tests: a deterministic source of jitter in [0, 1). */
  random?: () => number;
  /** For tests: a clock, with a `sleep` that advances it. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type PollOutcome<T> = { status: 'done'; value: T } | { status: 'timed-out'; lastError?: unknown };

export interface PollUntilOptions {
  /**
   * Epoch ms after which no further attempt starts, and at which an attempt still running is given up
   * (its signal aborts): the deadline bounds the whole wait, a slow request included.
   */
  deadline: number;
  /** Called before each backoff wait that a throttling error caused. */
  onThrottled?: (delayMs: number, error: unknown) => void;
  /** Errors that are worth another attempt (not throttling): counted as a failed poll, then waited on. */
  isTransient?: (error: unknown) => boolean;
}

const PAST_DEADLINE = Symbol('past the deadline');

export const DEFAULT_POLL_INTERVAL_MS = 4_000;
export const DEFAULT_MAX_POLL_INTERVAL_MS = 32_000;

const THROTTLING_NAMES = new Set([
  'Throttling',
  'ThrottlingException',
  'ThrottledException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
]);

/** Whether an AWS SDK error (or an HTTP error with a status) says "slow down". */
export function isThrottlingError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as {
    name?: unknown;
    status?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $retryable?: { throttling?: unknown };
  };
  return (
    (typeof e.name === 'string' && THROTTLING_NAMES.has(e.name)) ||
    e.$retryable?.throttling === true ||
    e.$metadata?.httpStatusCode === 429 ||
    e.status === 429
  );
}

export class Poller {
  readonly #intervalMs: number;
  readonly #maxIntervalMs: number;
  readonly #random: () => number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly signal: AbortSignal | undefined;
  readonly now: () => number;
  #throttles = 0;
  /** Every wait so far, in order (for `--verbose` and for tests). */
  readonly waits: number[] = [];

  constructor(options: PollerOptions = {}) {
    this.#intervalMs = options.intervalMs ?? DEFAULT_POLL_INTERVAL_MS;
    this.#maxIntervalMs = Math.max(options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS, this.#intervalMs);
    this.#random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.#sleep =
      options.sleep ??
      ((ms, signal) => sleepFor(ms, undefined, signal === undefined ? undefined : { signal }));
    this.signal = options.signal;
  }

  /** The next wait: equal jitter over the current cap (see the module comment). */
  nextDelay(): number {
    const cap = Math.min(this.#maxIntervalMs, this.#intervalMs * 2 ** this.#throttles);
    return cap / 2 + this.#random() * (cap / 2);
  }

  /**
   * Calls `attempt` until it returns a value other than `undefined`, waiting between calls; throttling
   * errors back off and retry, other errors propagate (unless `isTransient` says to retry). Returns
   * `timed-out` once the deadline is reached, even in the middle of an attempt (whose `signal` then
   * aborts); an abort (Ctrl-C) rejects with the signal's reason.
   */
  async until<T>(
    attempt: (signal: AbortSignal) => Promise<T | undefined>,
    options: PollUntilOptions,
  ): Promise<PollOutcome<T>> {
    let lastError: unknown;
    const timedOut = (): PollOutcome<T> =>
      lastError === undefined ? { status: 'timed-out' } : { status: 'timed-out', lastError };
    for (;;) {
      this.signal?.throwIfAborted();
      try {
        const value = await this.#withinDeadline(attempt, options.deadline);
        if (value === PAST_DEADLINE) return timedOut();
        this.#throttles = 0;
        if (value !== undefined) return { status: 'done', value };
      } catch (error) {
        if (this.signal?.aborted) throw this.signal.reason;
        // An attempt cut short by the deadline (or failing as it passed) is the timeout, not a failure.
        const retryable = isThrottlingError(error) || options.isTransient?.(error) === true;
        if (this.now() >= options.deadline && (retryable || isAbortError(error))) return timedOut();
        if (isThrottlingError(error)) {
          this.#throttles++;
          lastError = error;
          const delay = this.nextDelay();
          options.onThrottled?.(delay, error);
          if (!(await this.#wait(delay, options.deadline))) return { status: 'timed-out', lastError };
          continue;
        }
        if (!options.isTransient?.(error)) throw error;
        lastError = error;
      }
      if (!(await this.#wait(this.nextDelay(), options.deadline))) return timedOut();
    }
  }

  /** One attempt, given up at the deadline: its signal aborts, and PAST_DEADLINE is returned. */
  async #withinDeadline<T>(
    attempt: (signal: AbortSignal) => Promise<T | undefined>,
    deadline: number,
  ): Promise<T | undefined | typeof PAST_DEADLINE> {
    const expiry = new AbortController();
    const signal = this.signal === undefined ? expiry.signal : AbortSignal.any([this.signal, expiry.signal]);
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    // Ends at the deadline, or at Ctrl-C (with its reason), whether or not the attempt listens.
    const expired = new Promise<typeof PAST_DEADLINE>((resolve, reject) => {
      timer = setTimeout(
        () => {
          resolve(PAST_DEADLINE);
          expiry.abort(Object.assign(new Error('The deadline passed.'), { name: 'TimeoutError' }));
        },
        Math.max(0, deadline - this.now()),
      );
      onAbort = () => reject(this.signal?.reason as Error);
      this.signal?.addEventListener('abort', onAbort, { once: true });
    });
    const work = attempt(signal);
    try {
      return await Promise.race([work, expired]);
    } finally {
      clearTimeout(timer);
      if (onAbort !== undefined) this.signal?.removeEventListener('abort', onAbort);
      expired.catch(() => undefined);
      // An attempt given up on may still fail; nobody is waiting for it any more.
      work.catch(() => undefined);
    }
  }

  /** Waits `delay`, clipped to the deadline; false when the deadline has passed. */
  async #wait(delay: number, deadline: number): Promise<boolean> {
    const remaining = deadline - this.now();
    if (remaining <= 0) return false;
    const ms = Math.min(delay, remaining);
    this.waits.push(ms);
    try {
      await this.#sleep(ms, this.signal);
    } catch (error) {
      // timers/promises rejects with a generic AbortError; the caller wants the reason it aborted with.
      if (this.signal?.aborted) throw this.signal.reason;
      throw error;
    }
    return true;
  }
}
