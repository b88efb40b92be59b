import { afterEach, describe, expect, it } from 'vitest';

import type { Presentation } from '../../src/ui/mode.js';
import { runWatchLoop } from '../../src/ui/watch-loop.js';

const PIPE: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };
// A terminal for output, but no keyboard (stdin is a pipe): keys can't be read, so the plain loop runs.
const NO_KEYBOARD: Presentation = { mode: 'tty', stdoutIsTty: true, color: true, interactive: false };

const signals = () => ({ int: process.listenerCount('SIGINT'), term: process.listenerCount('SIGTERM') });
const before = signals();
afterEach(() => expect(signals()).toEqual(before));

/** A plain loop that runs until its signal aborts, counting the views it was asked for. */
function untilAborted() {
  const calls = { views: 0, started: 0 };
  return {
    calls,
    loop: (presentation: Presentation) => ({
      presentation,
      view: () => {
        calls.views += 1;
        return Promise.reject(new Error('no ink view without a terminal'));
      },
      plain: (signal: AbortSignal) => {
        calls.started += 1;
        return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
      },
    }),
  };
}

/** Lets the loop start, then delivers `signal` to the listeners the loop installed. */
async function deliver(signal: 'SIGINT' | 'SIGTERM'): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  // Emitting (not process.kill) reaches only the JS listeners: the test runner's worker stays up.
  process.emit(signal);
}

describe('runWatchLoop', () => {
  it.each([
    ['a pipe', PIPE],
    ['a terminal without a keyboard', NO_KEYBOARD],
  ])('runs the plain loop on %s until Ctrl-C, and reports the interruption', async (_, presentation) => {
    // given a watch whose plain loop runs until aborted
    const { calls, loop } = untilAborted();
    // when the user presses Ctrl-C
    const result = runWatchLoop(loop(presentation));
    await deliver('SIGINT');
    // then the loop ends as interrupted (exit 130), never having built the ink view
    await expect(result).resolves.toEqual({ interrupted: true });
    expect(calls).toEqual({ views: 0, started: 1 });
  });

  it('ends on SIGTERM as interrupted too', async () => {
    const { loop } = untilAborted();
    const result = runWatchLoop(loop(PIPE));
    await deliver('SIGTERM');
    await expect(result).resolves.toEqual({ interrupted: true });
  });

  it('reports a loop that ends on its own as not interrupted, and stops listening for Ctrl-C', async () => {
    // given a plain loop that returns at once
    const result = await runWatchLoop({
      presentation: PIPE,
      view: () => Promise.reject(new Error('unused')),
      plain: () => Promise.resolve(),
    });
    // then it is not an interruption, and (afterEach) no signal listener outlives it
    expect(result).toEqual({ interrupted: false });
  });

  it('passes a failing loop on, and stops listening for Ctrl-C', async () => {
    const failing = runWatchLoop({
      presentation: PIPE,
      view: () => Promise.reject(new Error('unused')),
      plain: () => Promise.reject(new Error('the source is closed')),
    });
    await expect(failing).rejects.toThrow('the source is closed');
  });
});
