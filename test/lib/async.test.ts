import { describe, expect, it } from 'vitest';

import { mapLimit, withTimeout } from '../../src/lib/async.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('mapLimit', () => {
  it('runs at most the limit at once and keeps the order of the items', async () => {
    // given 9 items whose work takes longer for the first ones
    let active = 0;
    let peak = 0;
    const results = await mapLimit([9, 8, 7, 6, 5, 4, 3, 2, 1], 3, async (delay, index) => {
      active += 1;
      peak = Math.max(peak, active);
      await sleep(delay);
      active -= 1;
      return `${index}:${delay}`;
    });
    // then the results are in the items' order, and no more than 3 ran together
    expect(results).toEqual(['0:9', '1:8', '2:7', '3:6', '4:5', '5:4', '6:3', '7:2', '8:1']);
    expect(peak).toBe(3);
  });

  it('rejects with the first failure', async () => {
    await expect(
      mapLimit([1, 2], 2, (n) => (n === 2 ? Promise.reject(new Error('boom')) : Promise.resolve(n))),
    ).rejects.toThrow('boom');
  });
});

describe('withTimeout', () => {
  it("gives the work's result when it comes first", async () => {
    await expect(
      withTimeout(
        sleep(5).then(() => 'done'),
        1000,
        () => 'late',
      ),
    ).resolves.toBe('done');
  });

  it('gives the fallback, or its error, when the time passes first', async () => {
    const never = new Promise<string>(() => undefined);
    await expect(withTimeout(never, 10, () => 'fallback')).resolves.toBe('fallback');
    await expect(
      withTimeout(never, 10, () => {
        throw new Error('no answer within 10ms');
      }),
    ).rejects.toThrow('no answer within 10ms');
  });

  it('leaves a late failure of the work unobserved instead of crashing the process', async () => {
    const late = sleep(20).then(() => Promise.reject(new Error('late failure')));
    await expect(withTimeout(late, 5, () => 'gave up')).resolves.toBe('gave up');
    await sleep(30);
  });
});
