/**
 * Concurrency limits, batches and timeouts, in one place. (Stopping work on Ctrl-C, and the SDK
 * clients that honour it, are aws/abort.ts; the jittered poll that backs off on throttling is
 * app/poll.ts.)
 */

/** `items` in batches of at most `size` (DescribeServices takes 10 services a call). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let index = 0; index < items.length; index += size) out.push(items.slice(index, index + size));
  return out;
}

/** Runs at most `concurrency` of the given tasks at once, in the order they were handed in. */
export function limiter(concurrency: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    if (active >= concurrency) return;
    const start = queue.shift();
    if (start === undefined) return;
    active += 1;
    start();
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active -= 1;
            next();
          });
      });
      next();
    });
}

/** `work` applied to every item, at most `concurrency` at once; results in the order of `items`. */
export async function mapLimit<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const limit = limiter(concurrency);
  return Promise.all(items.map((item, index) => limit(() => work(item, index))));
}

/**
 * `work`'s outcome, or `onTimeout()`'s when `ms` pass first. The timer never outlives the race; work
 * that is given up on goes on unobserved (pass it a signal, e.g. `AbortSignal.timeout`, to stop it).
 * `onTimeout` returns a fallback or throws the error that says what did not answer.
 */
export async function withTimeout<T>(work: Promise<T>, ms: number, onTimeout: () => T): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  }).then(onTimeout);
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    work.catch(() => undefined);
  }
}
