/**
 * Stopping work in flight: Ctrl-C, or a deadline. An AWS call that hangs must not outlive either: the
 * SDK aborts the request itself when its `send` gets an `abortSignal` (no retry follows), and work
 * that can't be aborted (a poll's sleep in code we don't own) is left behind by `untilAborted`.
 */

/** Whether `error`, or an error it wraps (`cause`), is an abort: the SDK's, fetch's, or ours. */
export function isAbortError(error: unknown): boolean {
  for (let current = error, depth = 0; current !== undefined && depth < 5; depth++) {
    if (typeof current !== 'object' || current === null) return false;
    if ((current as { name?: unknown }).name === 'AbortError') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * `work`, unless `signal` aborts first: then it rejects at once with the signal's reason, and `work`
 * goes on unobserved (its calls through aborted clients fail at once; its failure is ignored).
 */
export async function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, aborted]);
  } finally {
    if (onAbort !== undefined) signal.removeEventListener('abort', onAbort);
    work.catch(() => undefined);
  }
}

/** The signal that aborts when any of `signals` does; undefined when there is none. */
export function anySignal(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}

interface Sendable {
  send(command: unknown, options?: { abortSignal?: AbortSignal | undefined }): Promise<unknown>;
}

/**
 * Makes every `send` of an SDK client abortable by `signal` (on top of any signal the caller passes),
 * so that every call through the client, including those made by code that takes a client and knows
 * nothing of Ctrl-C, stops when the command is interrupted or runs out of time.
 */
export function abortOnSignal<C>(client: C, signal: AbortSignal | undefined): C {
  if (signal === undefined) return client;
  const sendable = client as unknown as Sendable;
  const send = sendable.send.bind(client);
  sendable.send = (command, options) =>
    send(command, { ...options, abortSignal: anySignal(options?.abortSignal, signal) });
  return client;
}
