/**
 * `app logs` against moto, whose ECS never runs a container: the tests write the lines awslogs would
 * write (`<service>/<container>/<task id>` streams) with PutLogEvents. moto 5.2.1 answers
 * StartLiveTail with a 500, which is exactly the "no live tail here" case --follow must survive.
 */
import { afterAll, expect, it } from 'vitest';

import { appLogs, type LogLine } from '../../../src/lib/app/logs.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { UserError } from '../../../src/lib/errors.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { createCluster, createLogGroup, putLogLines, seedDeployment } from './seed.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

async function givenDeploymentWithLogs() {
  const app = uniqueName('app');
  const cluster = uniqueName('logs');
  const logGroup = `/traefikctl/${uniqueName('logs')}`;
  await createCluster(clients, cluster);
  await createLogGroup(clients, logGroup);
  const v1 = await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'v1' });
  const v10 = await seedDeployment(clients, cluster, { env: 'dev', app, tag: 'v10' });
  const now = Date.now();
  // two tasks of v1, lines interleaved in time; one line from before --since
  await putLogLines(clients, logGroup, `${v1.service}/app/task-aaa`, [
    { timestamp: now - 3_600_000, message: 'too old' },
    { timestamp: now - 30_000, message: 'a: started' },
    { timestamp: now - 10_000, message: 'a: GET / 200' },
  ]);
  await putLogLines(clients, logGroup, `${v1.service}/app/task-bbb`, [
    { timestamp: now - 20_000, message: 'b: started\n' },
  ]);
  // v10's stream shares the prefix "<app>-v1"
  await putLogLines(clients, logGroup, `${v10.service}/app/task-ccc`, [
    { timestamp: now - 15_000, message: 'v10 line' },
  ]);
  return { app, cluster, logGroup, v1 };
}

describeWith(['moto'], 'app logs', () => {
  it('returns the lines of the deployment since --since, in time order, and no other stream', async () => {
    const { app, cluster, logGroup, v1 } = await givenDeploymentWithLogs();

    const result = await appLogs(clients, { env: 'dev', cluster, logGroup, app, tag: 'v1', since: '10m' });

    expect(result?.streamPrefix).toBe(`${v1.service}/`);
    expect(result?.events.map((e) => [e.task, e.message])).toEqual([
      ['task-aaa', 'a: started'],
      ['task-bbb', 'b: started'],
      ['task-aaa', 'a: GET / 200'],
    ]);
    expect(result?.events[0]?.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('--follow falls back to polling quietly when live tail fails, prints new lines once, and ends on abort', async () => {
    // given a deployment with three lines already logged
    const { app, cluster, logGroup, v1 } = await givenDeploymentWithLogs();
    const lines: LogLine[] = [];
    const events: ProgressEvent[] = [];
    const stop = new AbortController();

    // when its logs are followed
    const following = appLogs(clients, {
      env: 'dev',
      cluster,
      logGroup,
      app,
      tag: 'v1',
      since: '10m',
      follow: true,
      pollIntervalMs: 100,
      signal: stop.signal,
      onLine: (line) => lines.push(line),
      onEvent: (event) => events.push(event),
    });
    await waitFor(() => lines.length === 3);
    // and a task logs two more lines, in an existing stream and in a new one
    const now = Date.now();
    await putLogLines(
      clients,
      logGroup,
      `${v1.service}/app/task-aaa`,
      [{ timestamp: now, message: 'a: later' }],
      false,
    );
    await putLogLines(clients, logGroup, `${v1.service}/app/task-ddd`, [
      { timestamp: now + 1, message: 'd: new task' },
    ]);
    await waitFor(() => lines.length >= 5);
    // and a few more polls go by
    await new Promise((resolve) => setTimeout(resolve, 350));
    stop.abort();
    await following;

    // then every line came exactly once, in order, the new ones last
    expect(lines.map((line) => line.message)).toEqual([
      'a: started',
      'b: started',
      'a: GET / 200',
      'a: later',
      'd: new task',
    ]);
    // and the fallback was only a (verbose) step, no warning
    expect(events.filter((e) => e.type === 'warning')).toEqual([]);
    const steps = events.flatMap((e) => (e.type === 'step' ? [e.message] : []));
    expect(steps).toHaveLength(1);
    expect(steps[0]).toMatch(/^Live tail is unavailable \(.*\); polling instead\.$/);
  });

  it('says the log group is missing, and how to repair it', async () => {
    const { app, cluster } = await givenDeploymentWithLogs();
    const error = await appLogs(clients, {
      env: 'dev',
      cluster,
      logGroup: '/traefikctl/nope-nope',
      app,
      tag: 'v1',
      since: '10m',
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).message).toBe("The log group /traefikctl/nope-nope doesn't exist.");
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
