/**
 * Ctrl-C (or SIGTERM) for a plain-mode watch loop: aborts `signal` so the loop ends at its next await,
 * and remembers that it was an interruption (exit 130) rather than the loop ending on its own.
 * Call `dispose()` in a `finally` so the handlers never outlive the loop.
 */
export function listenForInterrupt(): {
  signal: AbortSignal;
  interrupted: () => boolean;
  dispose: () => void;
} {
  const controller = new AbortController();
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    controller.abort();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return {
    signal: controller.signal,
    interrupted: () => interrupted,
    dispose: () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    },
  };
}
