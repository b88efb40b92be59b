import { describe, expect, it } from 'vitest';

import { isThrottlingError, Poller } from '../../../../src/lib/app/deploy/poll.js';
import { fakeClock, throttlingError } from './ecs/track-fixtures.js';

describe('Poller', () => {
  it('waits between half and all of the interval, so that parallel deploys drift apart', () => {
    const low = new Poller({ intervalMs: 4_000, random: () => 0 });
    const high = new Poller({ intervalMs: 4_000, random: () => 0.999_999 });
    expect(low.nextDelay()).toBe(2_000);
    expect(high.nextDelay()).toBeCloseTo(4_000, 0);
  });

  it('stops at the deadline: the last wait is cut short and one last look is taken', async () => {
    // given a poll that never succeeds and a deadline 10 s away
    const clock = fakeClock(0);
    const poller = new Poller({
      intervalMs: 4_000,
      random: () => 0.999_999,
      now: clock.now,
      sleep: clock.sleep,
    });
    let attempts = 0;

    // when polling
    const outcome = await poller.until(
      () => {
        attempts++;
        return Promise.resolve(undefined);
      },
      { deadline: 10_000 },
    );

    // then it timed out exactly at the deadline, having looked at 0, 4, 8 and 10 s
    expect(outcome).toEqual({ status: 'timed-out' });
    expect(clock.now()).toBe(10_000);
    expect(attempts).toBe(4);
    expect(poller.waits.map(Math.round)).toEqual([4_000, 4_000, 2_000]);
  });

  it('gives up an attempt still running at the deadline, and aborts its signal', async () => {
    // given an attempt that hangs until its signal aborts, and a deadline 100 ms away
    const poller = new Poller({ intervalMs: 20 });
    let aborted: unknown;
    const started = performance.now();

    // when polling
    const outcome = await poller.until(
      (signal) =>
        new Promise<undefined>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            aborted = signal.reason;
            reject(Object.assign(new Error('Request aborted'), { name: 'AbortError' }));
          });
        }),
      { deadline: Date.now() + 100 },
    );

    // then it timed out at the deadline (not an error), and the attempt was told to stop
    expect(outcome).toEqual({ status: 'timed-out' });
    expect(performance.now() - started).toBeLessThan(1_000);
    expect((aborted as Error).name).toBe('TimeoutError');
  });

  it('ends an attempt that ignores its signal on Ctrl-C, with the abort reason', async () => {
    const controller = new AbortController();
    const poller = new Poller({ signal: controller.signal });
    const polling = poller.until(() => new Promise<undefined>(() => {}), { deadline: Date.now() + 600_000 });
    setTimeout(() => controller.abort(new Error('interrupted')), 10);
    await expect(polling).rejects.toThrow('interrupted');
  });

  it('lets other errors through at once, unless they are transient', async () => {
    const clock = fakeClock(0);
    const poller = new Poller({ now: clock.now, sleep: clock.sleep });
    const boom = new Error('AccessDenied');
    await expect(poller.until(() => Promise.reject(boom), { deadline: 60_000 })).rejects.toBe(boom);

    let calls = 0;
    const outcome = await poller.until(
      () => (++calls < 3 ? Promise.reject(new Error('ECONNRESET')) : Promise.resolve('ok')),
      { deadline: 60_000, isTransient: () => true },
    );
    expect(outcome).toEqual({ status: 'done', value: 'ok' });
  });

  it('stops when aborted (Ctrl-C), with the abort reason', async () => {
    const controller = new AbortController();
    const poller = new Poller({ intervalMs: 60_000, signal: controller.signal });
    const polling = poller.until(() => Promise.resolve(undefined), { deadline: Date.now() + 600_000 });
    controller.abort(new Error('interrupted'));
    await expect(polling).rejects.toThrow('interrupted');
  });

  it('recognises throttling in the shapes the SDK and HTTP APIs give it', () => {
    expect(isThrottlingError(throttlingError())).toBe(true);
    expect(isThrottlingError({ name: 'TooManyRequestsException' })).toBe(true);
    expect(isThrottlingError({ name: 'Whatever', $metadata: { httpStatusCode: 429 } })).toBe(true);
    expect(isThrottlingError({ name: 'X', $retryable: { throttling: true } })).toBe(true);
    expect(isThrottlingError({ status: 429 })).toBe(true);
    expect(isThrottlingError(new Error('ServiceNotFoundException'))).toBe(false);
    expect(isThrottlingError(undefined)).toBe(false);
  });
});
