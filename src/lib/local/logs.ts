import type { LogLine, LogsResult } from '../app/logs.js';
import { parseSince } from '../app/logs.js';
import { runDocker } from '../docker/exec.js';
import type { LocalEnvironment } from '../env/local.js';
import { findLocalDeployment } from './list.js';

/**
 * `app logs` of a `docker` env: the container's own logs (`docker logs --timestamps`), in the lines
 * and the result shape of the ECS command. The `task` of a line is the container's name.
 */

export interface LocalLogsOptions {
  app: string;
  tag: string;
  since: string;
  follow?: boolean | undefined;
  onLine?: ((line: LogLine) => void) | undefined;
  signal?: AbortSignal | undefined;
  now?: Date | undefined;
}

const STAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

function parseLine(text: string, container: string): LogLine {
  const match = STAMPED.exec(text);
  const timestamp = match?.[1] === undefined ? Date.now() : Date.parse(match[1]);
  return { timestamp, stream: `docker/${container}`, task: container, message: match?.[2] ?? text };
}

export async function localLogs(
  local: LocalEnvironment,
  options: LocalLogsOptions,
): Promise<LogsResult | undefined> {
  const startTime = parseSince(options.since, options.now ?? new Date());
  const deployment = await findLocalDeployment(local, options.app, options.tag);
  // The newest container is the deployment (the others are being replaced, or were).
  const container = deployment.containers[0] ?? deployment.serviceArn;
  const lines: LogLine[] = [];
  const args = [
    'logs',
    '--timestamps',
    '--since',
    new Date(startTime).toISOString(),
    ...(options.follow ? ['--follow'] : []),
    container,
  ];
  await runDocker(args, {
    signal: options.signal,
    tailLines: 1,
    onLine: (text) => {
      if (text.trim() === '') return;
      const line = parseLine(text, container);
      if (options.onLine === undefined) lines.push(line);
      else options.onLine(line);
    },
  });
  if (options.onLine !== undefined) return undefined;
  lines.sort((a, b) => a.timestamp - b.timestamp);
  return {
    app: deployment.app,
    tag: deployment.tag,
    env: deployment.env,
    service: deployment.service,
    logGroup: 'docker',
    streamPrefix: container,
    since: new Date(startTime).toISOString(),
    events: lines.map((line) => ({
      timestamp: new Date(line.timestamp).toISOString(),
      task: line.task,
      stream: line.stream,
      message: line.message,
    })),
  };
}
