import type { CloudWatchLogsClient, StartLiveTailResponseStream } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';

import { followLogs, parseSince, type LogLine } from '../../../src/lib/app/logs.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import type { ProgressEvent } from '../../../src/lib/events.js';

const NOW = new Date('2026-08-22T12:00:00.000Z');

describe('parseSince', () => {
  it('reads a duration back from now, or a date', () => {
    expect(parseSince('10m', NOW)).toBe(NOW.getTime() - 600_000);
    expect(parseSince('2h', NOW)).toBe(NOW.getTime() - 7_200_000);
    expect(parseSince('2026-08-22T11:00:00Z', NOW)).toBe(Date.parse('2026-08-22T11:00:00Z'));
  });

  it('rejects anything else with the formats it takes (exit 2)', () => {
    expect(() => parseSince('yesterday', NOW)).toThrow(
      '--since "yesterday" is neither a duration nor a date.',
    );
    expect(() => parseSince('10 minutes', NOW)).toThrow(/neither a duration nor a date/);
  });
});

/**
 * A CloudWatch Logs stand-in for the live tail path. Mocked because moto 5.2.1 has no StartLiveTail
 * (it answers 500; the polling fallback is tested against moto in test/integration/app/logs.test.ts),
 * and no emulator ends a session the way CloudWatch does after 3 hours.
 */
function fakeLogs(script: {
  filter: (input: { startTime?: number }) => { logStreamName: string; timestamp: number; message: string }[];
  live: StartLiveTailResponseStream[];
}) {
  const calls: { name: string; input: Record<string, unknown> }[] = [];
  const client = {
    send(command: { constructor: { name: string }; input: Record<string, unknown> }) {
      const name = command.constructor.name;
      calls.push({ name, input: command.input });
      switch (name) {
        case 'DescribeLogGroupsCommand':
          return Promise.resolve({
            logGroups: [
              {
                logGroupName: '/traefikctl/dev',
                logGroupArn: 'arn:aws:logs:us-east-1:1:log-group:/traefikctl/dev',
              },
            ],
          });
        case 'StartLiveTailCommand':
          return Promise.resolve({
            responseStream: (async function* () {
              for (const event of script.live) {
                await Promise.resolve();
                yield event;
              }
            })(),
          });
        case 'FilterLogEventsCommand':
          return Promise.resolve({ events: script.filter(command.input as { startTime?: number }) });
        default:
          return Promise.reject(new Error(`unexpected ${name}`));
      }
    },
  };
  class FakeClients extends AwsClients {
    override logs(): Promise<CloudWatchLogsClient> {
      return Promise.resolve(client as unknown as CloudWatchLogsClient);
    }
  }
  return { clients: new FakeClients(), calls };
}

describe('followLogs', () => {
  it('prints history, then live tail lines, then polls when the session ends; each line once', async () => {
    const t = NOW.getTime();
    const line = (task: string, offset: number, message: string) => ({
      logStreamName: `whoami-v1/app/${task}`,
      timestamp: t + offset,
      message,
    });
    let polls = 0;
    const { clients, calls } = fakeLogs({
      filter: () => {
        polls += 1;
        // first the history
        if (polls === 1) {
          return [
            line('a', 0, 'one'),
            line('b', 1, 'two'),
            // moto ignores logStreamNamePrefix, so do without it: whoami-v10's streams share "whoami-v1"
            { ...line('c', 2, 'not ours'), logStreamName: 'whoami-v10/app/c' },
            line('a', 2, 'three'),
          ];
        }
        // the gap between the history and the session: nothing new
        if (polls === 2) return [line('a', 2, 'three')];
        // polling once the session ended: the last live line again, and a new one
        return [line('a', 4, 'four'), line('a', 5, 'five')];
      },
      live: [
        { sessionStart: { sessionId: 's1' } },
        { sessionUpdate: { sessionResults: [line('b', 1, 'two'), line('a', 4, 'four')] } },
        { SessionTimeoutException: { name: 'SessionTimeoutException', message: 'timed out' } } as never,
      ],
    });
    const stop = new AbortController();
    const events: ProgressEvent[] = [];
    const lines: LogLine[] = [];

    for await (const item of followLogs(clients, {
      logGroup: '/traefikctl/dev',
      streamPrefix: 'whoami-v1/',
      startTime: t - 600_000,
      signal: stop.signal,
      pollIntervalMs: 10,
      onEvent: (event) => events.push(event),
    })) {
      lines.push(item);
      if (item.message === 'five') stop.abort();
    }

    expect(lines.map((l) => `${l.task}:${l.message}`)).toEqual([
      'a:one',
      'b:two',
      'a:three',
      'a:four',
      'a:five',
    ]);
    // the session was opened on the log group's ARN, for the deployment's streams only
    expect(calls.find((c) => c.name === 'StartLiveTailCommand')?.input).toEqual({
      logGroupIdentifiers: ['arn:aws:logs:us-east-1:1:log-group:/traefikctl/dev'],
      logStreamNamePrefixes: ['whoami-v1/'],
    });
    // the gap read and the polls start a little before the newest line seen, not from the start
    const reads = calls.filter((c) => c.name === 'FilterLogEventsCommand').map((c) => c.input.startTime);
    expect(reads.slice(0, 3)).toEqual([t - 600_000, t + 2 - 30_000, t + 4 - 30_000]);
    expect(events).toEqual([
      {
        type: 'step',
        phase: 'logs',
        message: 'The live tail ended (the session timed out); polling instead.',
      },
    ]);
  });
});
