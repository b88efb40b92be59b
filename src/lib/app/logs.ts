import { setTimeout as sleep } from 'node:timers/promises';

import type {
  CloudWatchLogsClient,
  FilteredLogEvent,
  LiveTailSessionLogEvent,
  StartLiveTailResponseStream,
} from '@aws-sdk/client-cloudwatch-logs';

import type { AwsClients } from '../aws/clients.js';
import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { durationMs } from '../duration.js';
import { describeError, UserError, usageError } from '../errors.js';
import type { EventSink } from '../events.js';
import { findDeployment } from '../ecs/services.js';

/**
 * `app logs`: the CloudWatch Logs of one deployment. Its containers log through awslogs into the
 * env's log group with the ECS service name as stream prefix (plan.ts), so each task writes the
 * stream `<service>/<container>/<task id>`. Reading is FilterLogEvents over every page; following
 * is CloudWatch's live tail when the endpoint has it, else polling FilterLogEvents.
 */

export interface LogLine {
  /** Milliseconds since the epoch, as the container reported it. */
  timestamp: number;
  /** The whole stream name. */
  stream: string;
  /** The ECS task id: the last part of the stream name. */
  task: string;
  message: string;
}

export interface LogSource {
  logGroup: string;
  /** `<service>/`: the slash keeps `whoami-v1` from matching `whoami-v10`'s streams. */
  streamPrefix: string;
}

export interface ReadLogsOptions extends LogSource {
  /** Milliseconds since the epoch, inclusive. */
  startTime: number;
  endTime?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface FollowLogsOptions extends ReadLogsOptions {
  /** Ends the follow; the generator then returns normally. */
  signal: AbortSignal;
  pollIntervalMs?: number | undefined;
  /** Try StartLiveTail before polling (default true). */
  liveTail?: boolean | undefined;
  onEvent?: EventSink | undefined;
}

/** The log stream prefix of a deployment: its ECS service name, as plan.ts configures awslogs. */
export function logSource(logGroup: string, service: string): LogSource {
  return { logGroup, streamPrefix: `${service}/` };
}

/** `--since`: a duration back from now (`30s`, `10m`, `2h`, `1d`) or an ISO 8601 date. */
export function parseSince(since: string, now: Date): number {
  const ms = durationMs(since, { unitRequired: true });
  if (ms !== undefined) return now.getTime() - ms;
  const date = Date.parse(since);
  if (/^\d{4}-\d{2}-\d{2}/.test(since) && !Number.isNaN(date)) return date;
  throw usageError(
    `--since ${JSON.stringify(since)} is neither a duration nor a date.`,
    ['Pass a duration such as --since 10m, 2h or 1d, or a date such as --since 2026-08-22T14:00:00Z.'],
    'SINCE_INVALID',
  );
}

/**
 * The deployment's log lines from `startTime` on, one FilterLogEvents page at a time, each page in
 * time order. Only streams under the prefix are kept, even where the endpoint ignores
 * `logStreamNamePrefix` (moto does).
 */
export async function* readLogs(clients: AwsClients, options: ReadLogsOptions): AsyncGenerator<LogLine[]> {
  const { FilterLogEventsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  const logs = await clients.logs();
  let nextToken: string | undefined;
  do {
    let page;
    try {
      page = await logs.send(
        new FilterLogEventsCommand({
          logGroupName: options.logGroup,
          logStreamNamePrefix: options.streamPrefix,
          startTime: options.startTime,
          ...(options.endTime === undefined ? {} : { endTime: options.endTime }),
          nextToken,
        }),
        options.signal === undefined ? {} : { abortSignal: options.signal },
      );
    } catch (error) {
      if (options.signal?.aborted) return;
      throw logsError(error, options.logGroup);
    }
    const lines = (page.events ?? [])
      .map((event) => toLine(event, options.streamPrefix))
      .filter((line): line is LogLine => line !== undefined)
      .sort((a, b) => a.timestamp - b.timestamp);
    if (lines.length > 0) yield lines;
    nextToken = page.nextToken;
  } while (nextToken);
}

export interface AppLogsOptions {
  env: string;
  /** ECS cluster and log group, from the cluster stack outputs. */
  cluster: string;
  logGroup: string;
  app: string;
  tag: string;
  /** `--since`: a duration back from `now`, or an ISO 8601 time. */
  since: string;
  follow?: boolean | undefined;
  /**
   * Receives each line as soon as it is read, and nothing is kept in memory (required with
   * `follow`); without it, the lines are collected into the result.
   */
  onLine?: ((line: LogLine) => void) | undefined;
  /** Ends `follow` (Ctrl-C); the call then resolves normally. */
  signal?: AbortSignal | undefined;
  onEvent?: EventSink | undefined;
  now?: Date | undefined;
  pollIntervalMs?: number | undefined;
  liveTail?: boolean | undefined;
}

/** What `app logs --json` prints. */
export interface LogsResult {
  app: string;
  tag: string;
  env: string;
  service: string;
  logGroup: string;
  streamPrefix: string;
  /** ISO 8601: the start of the range read. */
  since: string;
  events: { timestamp: string; task: string; stream: string; message: string }[];
}

/**
 * The logs of the deployment of `app` at `tag`: checks that it exists (an unknown app or tag is a
 * usage error naming the known ones), then reads or follows its streams. Streams lines to `onLine`
 * and returns undefined, or returns them all.
 */
export async function appLogs(clients: AwsClients, options: AppLogsOptions): Promise<LogsResult | undefined> {
  const startTime = parseSince(options.since, options.now ?? new Date());
  const deployment = await findDeployment(clients, options);
  const source = logSource(options.logGroup, deployment.service);
  const base = { ...source, startTime, signal: options.signal };
  const { onLine } = options;
  if (onLine !== undefined) {
    if (options.follow) {
      for await (const line of followLogs(clients, {
        ...base,
        signal: options.signal ?? new AbortController().signal,
        pollIntervalMs: options.pollIntervalMs,
        liveTail: options.liveTail,
        onEvent: options.onEvent,
      })) {
        onLine(line);
      }
    } else {
      for await (const page of readLogs(clients, base)) for (const line of page) onLine(line);
    }
    return undefined;
  }
  if (options.follow) throw new Error('appLogs: follow needs onLine to hand the lines to');
  const events: LogsResult['events'] = [];
  for await (const page of readLogs(clients, base)) {
    for (const line of page) {
      events.push({
        timestamp: new Date(line.timestamp).toISOString(),
        task: line.task,
        stream: line.stream,
        message: line.message,
      });
    }
  }
  return {
    app: deployment.app,
    tag: deployment.tag,
    env: deployment.env,
    service: deployment.service,
    logGroup: source.logGroup,
    streamPrefix: source.streamPrefix,
    since: new Date(startTime).toISOString(),
    events,
  };
}

/** How far back each poll looks again: CloudWatch may ingest an event after a later one. */
const POLL_OVERLAP_MS = 30_000;
const DEFAULT_POLL_INTERVAL_MS = 2_000;

/**
 * The lines from `startTime` on, then every new one until `signal` aborts. Live tail when
 * StartLiveTail works; when it doesn't (an emulator without it answers 500, a role without
 * logs:StartLiveTail is denied, a session times out after 3 hours) it polls FilterLogEvents
 * quietly: the reason is only a verbose step. Each line is yielded once.
 */
export async function* followLogs(clients: AwsClients, options: FollowLogsOptions): AsyncGenerator<LogLine> {
  const { signal } = options;
  const seen = new RecentLines(POLL_OVERLAP_MS);
  const fresh = (line: LogLine) => seen.add(line);
  const step = (message: string) => options.onEvent?.({ type: 'step', phase: 'logs', message });

  // The session opens while the history is read: the history shows at once, even where opening
  // fails slowly (an emulator's 500s are retried).
  const opening = options.liveTail === false ? undefined : startLiveTail(clients, options, step);
  // Awaited below; this only keeps a failure meanwhile (no log group) from being "unhandled".
  opening?.catch(() => undefined);

  for await (const page of readLogs(clients, options)) {
    for (const line of page) if (fresh(line)) yield line;
  }
  if (signal.aborted) return;

  const live = await opening;
  if (live !== undefined) {
    // What was logged between the end of the history and the start of the session.
    const startTime = Math.max(options.startTime, seen.newest - POLL_OVERLAP_MS);
    for await (const page of readLogs(clients, { ...options, startTime })) {
      for (const line of page) if (fresh(line)) yield line;
    }
    try {
      for await (const event of live) {
        const results = liveResults(event);
        for (const result of results) {
          const line = toLine(result, options.streamPrefix);
          if (line !== undefined && fresh(line)) yield line;
        }
      }
    } catch (error) {
      if (signal.aborted) return;
      step(`The live tail ended (${shortReason(error)}); polling instead.`);
    }
    if (signal.aborted) return;
  }

  const interval = options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS;
  while (!signal.aborted) {
    try {
      await sleep(interval, undefined, { signal });
    } catch {
      return;
    }
    const startTime = Math.max(options.startTime, seen.newest - POLL_OVERLAP_MS);
    for await (const page of readLogs(clients, { ...options, startTime })) {
      for (const line of page) if (fresh(line)) yield line;
    }
  }
}

type LiveEvents = AsyncIterable<StartLiveTailResponseStream>;

async function startLiveTail(
  clients: AwsClients,
  options: FollowLogsOptions,
  step: (message: string) => void,
): Promise<LiveEvents | undefined> {
  try {
    const { StartLiveTailCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    const logs = await clients.logs();
    const arn = await logGroupArn(logs, options.logGroup);
    const answer = await logs.send(
      new StartLiveTailCommand({
        logGroupIdentifiers: [arn],
        logStreamNamePrefixes: [options.streamPrefix],
      }),
      { abortSignal: options.signal },
    );
    if (answer.responseStream === undefined) throw new Error('no event stream in the answer');
    return answer.responseStream;
  } catch (error) {
    if (error instanceof UserError) throw error;
    if (!options.signal.aborted) step(`Live tail is unavailable (${shortReason(error)}); polling instead.`);
    return undefined;
  }
}

function liveResults(event: StartLiveTailResponseStream): LiveTailSessionLogEvent[] {
  if (event.sessionUpdate !== undefined) return event.sessionUpdate.sessionResults ?? [];
  if (event.SessionTimeoutException !== undefined) throw new Error('the session timed out');
  if (event.SessionStreamingException !== undefined)
    throw new Error(event.SessionStreamingException.message ?? 'streaming failed');
  return [];
}

/** StartLiveTail wants ARNs; DescribeLogGroups also says whether the group exists. */
async function logGroupArn(logs: CloudWatchLogsClient, logGroup: string): Promise<string> {
  const { DescribeLogGroupsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
  let nextToken: string | undefined;
  try {
    do {
      const page = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: logGroup, nextToken }));
      const group = page.logGroups?.find((candidate) => candidate.logGroupName === logGroup);
      if (group !== undefined) {
        const arn = group.logGroupArn ?? group.arn?.replace(/:\*$/, '');
        if (arn !== undefined) return arn;
      }
      nextToken = page.nextToken;
    } while (nextToken);
  } catch (error) {
    throw logsError(error, logGroup);
  }
  throw missingLogGroup(logGroup);
}

function toLine(
  event: FilteredLogEvent | LiveTailSessionLogEvent,
  streamPrefix: string,
): LogLine | undefined {
  const stream = event.logStreamName;
  if (stream === undefined || !stream.startsWith(streamPrefix) || event.timestamp === undefined)
    return undefined;
  return {
    timestamp: event.timestamp,
    stream,
    task: stream.slice(stream.lastIndexOf('/') + 1),
    message: (event.message ?? '').replace(/\r?\n$/, ''),
  };
}

/**
 * The lines of the last `windowMs` (by timestamp) that were already yielded: polls look back that
 * far, and live tail overlaps the history. Older entries are dropped, so memory stays flat.
 */
class RecentLines {
  readonly #keys = new Map<string, number>();
  newest = 0;

  constructor(readonly windowMs: number) {}

  /** True when the line is new. */
  add(line: LogLine): boolean {
    const key = `${line.stream}\0${line.timestamp}\0${line.message}`;
    if (this.#keys.has(key)) return false;
    this.#keys.set(key, line.timestamp);
    if (line.timestamp > this.newest) {
      this.newest = line.timestamp;
      const horizon = this.newest - this.windowMs;
      // Keys are in arrival order, which is nearly time order: stop at the first one still in the window.
      for (const [seenKey, timestamp] of this.#keys) {
        if (timestamp >= horizon) break;
        this.#keys.delete(seenKey);
      }
    }
    return true;
  }
}

/** `HTTP 500: Unexpected token...`: one line, whatever the SDK packed into the message. */
function shortReason(error: unknown): string {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
  const [first = ''] = describeError(error).split('\n');
  return status === undefined ? first : `HTTP ${status}: ${first}`;
}

function missingLogGroup(logGroup: string): UserError {
  return new UserError(`The log group ${logGroup} doesn't exist.`, {
    suggestions: [
      'The cluster stack names it; repair the cluster with `traefikctl cluster up`, then deploy again.',
    ],
    code: 'LOG_GROUP_MISSING',
  });
}

function logsError(error: unknown, logGroup: string): unknown {
  if (awsErrorName(error) === 'ResourceNotFoundException') return missingLogGroup(logGroup);
  return explainAwsError(error, `read the log group ${logGroup}`, 'logs:FilterLogEvents');
}
