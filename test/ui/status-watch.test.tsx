import { stripVTControlCharacters } from 'node:util';

import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';

import type { EnvStatus, EnvStatusSource, StatusDeployment } from '../../src/lib/status/env.js';
import type { Presentation } from '../../src/ui/mode.js';
import { runStatusWatch, statusScreen } from '../../src/ui/status-watch.js';

const TERMINAL: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const PIPE: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

function row(tag: string, overrides: Partial<StatusDeployment> = {}): StatusDeployment {
  return {
    app: 'whoami',
    tag,
    url: `https://whoami-${tag}.dev.example.com`,
    service: `whoami-${tag}`,
    rollout: 'COMPLETED',
    running: 1,
    desired: 1,
    route: { status: 'enabled', serversUp: 1, serversTotal: 1 },
    deployedAt: '2026-08-01T10:00:00.000Z',
    problems: [],
    ...overrides,
  };
}

function envStatus(deployments: StatusDeployment[], checkedAt: string): EnvStatus {
  return {
    env: 'dev',
    target: 'ecs',
    checkedAt,
    cluster: {
      stackName: 'traefikctl-dev',
      stackStatus: 'CREATE_COMPLETE',
      name: 'traefikctl-dev',
      problems: [],
    },
    traefik: { version: '3.7.9', problems: [] },
    deployments,
    strays: [],
    problems: deployments.reduce((sum, deployment) => sum + deployment.problems.length, 0),
  };
}

/**
 * An env whose reads answer `script` in order, the last answer repeating: the status source's own
 * reads need a cluster and Traefik, and what this file tests is how each answer is shown.
 */
function scriptedEnv(script: (EnvStatus | Error)[]): EnvStatusSource & { reads: () => number } {
  let reads = 0;
  return {
    env: 'dev',
    reads: () => reads,
    read: () => {
      const answer = script[Math.min(reads, script.length - 1)];
      reads += 1;
      return answer instanceof Error || answer === undefined
        ? Promise.reject(answer ?? new Error('empty script'))
        : Promise.resolve(answer);
    },
    close: () => Promise.resolve(),
  };
}

const healthy = envStatus([row('v1'), row('v2')], '2026-08-10T12:00:00.000Z');
const degraded = envStatus(
  [row('v1', { running: 0, problems: ['No task is running.'] })],
  '2026-08-10T12:00:05.000Z',
);

let unmount: (() => void) | undefined;
afterEach(() => {
  unmount?.();
  unmount = undefined;
  vi.restoreAllMocks();
});

async function frameWhere(lastFrame: () => string | undefined, check: (frame: string) => boolean) {
  let frame = '';
  await vi.waitFor(
    () => {
      frame = stripVTControlCharacters(lastFrame() ?? '');
      if (!check(frame)) throw new Error(`frame did not match yet:\n${frame}`);
    },
    { timeout: 5_000, interval: 10 },
  );
  return frame;
}

describe('status --watch on a terminal', () => {
  it('shows the status with when it was read, and quits on q (not an interruption)', async () => {
    // given an env that reads healthy
    const source = scriptedEnv([healthy]);
    const seen: EnvStatus[] = [];
    const quits: boolean[] = [];
    const screen = await statusScreen(
      source,
      { intervalMs: 1_000, presentation: TERMINAL },
      { onStatus: (status) => seen.push(status), quit: (interrupted) => quits.push(interrupted) },
    );
    const view = render(screen);
    unmount = view.unmount;
    // then the screen shows its deployments and a footer with the refresh time and the keys
    const frame = await frameWhere(view.lastFrame, (f) => f.includes('↻'));
    expect(frame).toContain('whoami/v1');
    expect(frame).toContain('whoami/v2');
    expect(frame).toMatch(/↻ \d\d:\d\d:\d\d · every 1s · q quit/);
    expect(seen).toEqual([healthy]);
    // when the user presses q
    view.stdin.write('q');
    // then the view quits, not as an interruption, and reads no more
    await vi.waitFor(() => expect(quits).toEqual([false]));
    const reads = source.reads();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(source.reads()).toBe(reads);
  });

  it('says why a read failed, keeps the last status, and ends as interrupted on Ctrl-C', async () => {
    // given an env that reads healthy once, then fails
    const source = scriptedEnv([healthy, new Error("Can't reach Traefik's API.")]);
    const quits: boolean[] = [];
    const screen = await statusScreen(
      source,
      { intervalMs: 10, presentation: TERMINAL },
      { onStatus: () => undefined, quit: (interrupted) => quits.push(interrupted) },
    );
    const view = render(screen);
    unmount = view.unmount;
    // then the footer shows the failure and the rows of the last good read stay
    const frame = await frameWhere(view.lastFrame, (f) => f.includes('✗'));
    expect(frame).toContain("✗ Can't reach Traefik's API.");
    expect(frame).toContain('whoami/v2');
    // when the user presses Ctrl-C
    view.stdin.write('\u0003');
    // then it quits as an interruption (exit 130)
    await vi.waitFor(() => expect(quits).toEqual([true]));
  });

  it('says it is reading before the first answer', async () => {
    const source: EnvStatusSource = {
      env: 'dev',
      read: () => new Promise<EnvStatus>(() => undefined),
      close: () => Promise.resolve(),
    };
    const screen = await statusScreen(
      source,
      { intervalMs: 1_000, presentation: TERMINAL },
      { onStatus: () => undefined, quit: () => undefined },
    );
    const view = render(screen);
    unmount = view.unmount;
    expect(await frameWhere(view.lastFrame, (f) => f !== '')).toBe('Reading env dev …');
  });
});

describe('status --watch without a terminal', () => {
  it('prints a line per deployment change and each new error, and ends with the summary on Ctrl-C', async () => {
    // given an env that reads healthy, fails twice the same way, then has v1 down and v2 gone
    const source = scriptedEnv([healthy, new Error('Throttled.'), new Error('Throttled.'), degraded]);
    const stdout: string[] = [];
    const stderr: string[] = [];
    // The views write to the process's own streams; capture them to read what the user would.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => stdout.push(String(chunk)) > 0);
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => stderr.push(String(chunk)) > 0);
    // when it is watched until the change shows, then the user presses Ctrl-C
    const result = runStatusWatch(source, { intervalMs: 10, presentation: PIPE });
    await vi.waitFor(() => expect(stdout.join('')).toContain('removed'), { timeout: 5_000, interval: 10 });
    process.emit('SIGINT');
    // then it ends as interrupted with a summary of the last status
    await expect(result).resolves.toEqual({
      interrupted: true,
      line: 'env dev: 1 deployment, 1 problem (at 2026-08-10T12:00:05.000Z).',
    });
    vi.restoreAllMocks();
    const timeless = (lines: string[]) =>
      lines
        .join('')
        .trimEnd()
        .split('\n')
        .map((line) => line.replace(/^\S+Z /, '<t> '));
    // stdout has one line per change of a deployment, and one for the one that went away
    expect(timeless(stdout)).toEqual([
      '<t> whoami/v1 https://whoami-v1.dev.example.com COMPLETED 1/1 enabled 1/1 ',
      '<t> whoami/v2 https://whoami-v2.dev.example.com COMPLETED 1/1 enabled 1/1 ',
      '<t> whoami/v1 https://whoami-v1.dev.example.com COMPLETED 0/1 enabled 1/1 No task is running.',
      '<t> whoami/v2 removed',
    ]);
    // stderr has the summary when it changes, and the repeated error once
    expect(timeless(stderr)).toEqual([
      expect.stringMatching(/^<t> env dev .* \| 2 deployments .* no problems/),
      '<t> ! Throttled.',
      expect.stringMatching(/^<t> env dev .* \| 1 deployment .* 1 problem/),
    ]);
  });
});
