import { StartError, dockerStream } from './containers.ts';
import { AwsError, aws } from './moto.ts';
import { LOG_FLUSH_MS, type LogTarget, type Task } from './state.ts';
import { log, messageOf } from './util.ts';

// --- container output to CloudWatch Logs ----------------------------------------------------------

/**
 * Follows a container's output (Docker's multiplexed log stream, with timestamps) and puts it, line by
 * line, into its log stream every half second; resolves once the container has ended and all is put.
 */
export async function shipLogs(dockerId: string, target: LogTarget): Promise<void> {
  const pending: { timestamp: number; message: string }[] = [];
  let putting = Promise.resolve();
  const flush = (): Promise<void> => {
    const events = pending.splice(0).sort((a, b) => a.timestamp - b.timestamp);
    for (let index = 0; index < events.length; index += 1_000) {
      const batch = events.slice(index, index + 1_000);
      putting = putting
        .then(() =>
          aws(target.scope, 'logs', 'PutLogEvents', {
            logGroupName: target.group,
            logStreamName: target.stream,
            logEvents: batch,
          }),
        )
        .then(
          () => undefined,
          (error: unknown) =>
            log(`logs of ${dockerId.slice(0, 12)} to ${target.stream}: ${messageOf(error)}`),
        );
    }
    return putting;
  };
  const partial = ['', '', ''];
  const take = (stream: number, text: string) => {
    const lines = (partial[stream] + text).split('\n');
    partial[stream] = lines.pop() ?? '';
    for (const line of lines) pending.push(logEvent(line));
  };
  const timer = setInterval(() => void flush(), LOG_FLUSH_MS);
  try {
    const response = await dockerStream(
      `/containers/${dockerId}/logs?follow=1&stdout=1&stderr=1&timestamps=1`,
    );
    let buffer = Buffer.alloc(0);
    for await (const chunk of response) {
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      // Frames: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, 4 bytes length, then the payload.
      while (buffer.length >= 8) {
        const size = buffer.readUInt32BE(4);
        if (buffer.length < 8 + size) break;
        take(buffer[0] === 2 ? 2 : 1, buffer.subarray(8, 8 + size).toString('utf8'));
        buffer = buffer.subarray(8 + size);
      }
    }
  } catch (error) {
    log(`logs of ${dockerId.slice(0, 12)}: ${messageOf(error)}`);
  } finally {
    clearInterval(timer);
    for (const stream of [1, 2]) if (partial[stream]) pending.push(logEvent(partial[stream] ?? ''));
    await flush();
  }
}

/** `2026-12-05T11:08:11.123456789Z message` (Docker's timestamps=1) to a CloudWatch Logs event. */
export function logEvent(line: string): { timestamp: number; message: string } {
  const space = line.indexOf(' ');
  const stamp = Date.parse(line.slice(0, space).replace(/(\.\d{3})\d*Z$/, '$1Z'));
  return Number.isNaN(stamp) || space < 0
    ? { timestamp: Date.now(), message: line }
    : { timestamp: stamp, message: line.slice(space + 1) };
}

/** awslogs: the stream `<prefix>/<container>/<task id>` in the group, created before the container starts. */
export async function openLogStreams(task: Task): Promise<void> {
  for (const container of task.containers) {
    const logging = container.definition.logConfiguration;
    const group = logging?.options?.['awslogs-group'];
    if (logging?.logDriver !== 'awslogs' || group === undefined) continue;
    const prefix = logging.options?.['awslogs-stream-prefix'];
    const stream = prefix ? `${prefix}/${container.definition.name}/${task.id}` : task.id;
    const scope = {
      account: task.ref.account,
      region: logging.options?.['awslogs-region'] ?? task.ref.region,
    };
    try {
      if (logging.options?.['awslogs-create-group'] === 'true') {
        await aws(scope, 'logs', 'CreateLogGroup', { logGroupName: group }).catch((error: unknown) => {
          if (!(error instanceof AwsError && error.type === 'ResourceAlreadyExistsException')) throw error;
        });
      }
      await aws(scope, 'logs', 'CreateLogStream', { logGroupName: group, logStreamName: stream });
    } catch (error) {
      if (!(error instanceof AwsError && error.type === 'ResourceAlreadyExistsException')) {
        throw new StartError(
          `ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: ${messageOf(error)}`,
          container,
        );
      }
    }
    container.logTarget = { scope, group, stream };
  }
}
