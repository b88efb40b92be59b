import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { withPhase } from '../../src/lib/events.js';
import { createPlainRenderer } from '../../src/ui/plain-renderer.js';

function capture(verbose = false) {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const renderer = createPlainRenderer({
    color: false,
    verbose,
    stream: stream,
  });
  return { renderer, output: () => text };
}

describe('plain renderer', () => {
  it('prints one line per state change, with durations, and no colour', async () => {
    const { renderer, output } = capture();
    let clock = 0;
    await withPhase(
      renderer.emit,
      { id: 'build', title: 'Build image' },
      () => {
        clock = 1500;
        return Promise.resolve();
      },
      () => clock,
    );
    expect(output()).toBe('▸ Build image\n✓ Build image (1.5s)\n');
  });

  it('prints a failed phase with its cause', async () => {
    const { renderer, output } = capture();
    await expect(
      withPhase(
        renderer.emit,
        { id: 'push', title: 'Push image' },
        () => Promise.reject(new Error('denied')),
        () => 0,
      ),
    ).rejects.toThrow('denied');
    expect(output()).toContain('✗ Push image: denied (0ms)');
  });

  it('prints an item only when its status changes', () => {
    const { renderer, output } = capture();
    for (const status of ['Pushing', 'Pushing', 'Pushing', 'Pushed']) {
      renderer.emit({ type: 'progress', phase: 'push', item: 'a1b2c3', status });
    }
    expect(output()).toBe('  a1b2c3: Pushing\n  a1b2c3: Pushed\n');
  });

  it('prints every step line: a CI log shows each build step and stack event', () => {
    const { renderer, output } = capture();
    renderer.emit({ type: 'step', phase: 'build', message: '[1/2] FROM scratch' });
    renderer.emit({ type: 'step', phase: 'build', message: '[2/2] COPY busybox /bin/busybox' });
    expect(output()).toBe('  [1/2] FROM scratch\n  [2/2] COPY busybox /bin/busybox\n');
  });

  it('prints warnings with their hint and nothing after close', async () => {
    const { renderer, output } = capture();
    renderer.emit({
      type: 'warning',
      message: 'Building linux/amd64 on arm64.',
      hint: 'Expect a slow build.',
    });
    await renderer.close();
    renderer.emit({ type: 'info', message: 'late' });
    expect(output()).toBe('! Building linux/amd64 on arm64.\n  → Expect a slow build.\n');
  });
});
