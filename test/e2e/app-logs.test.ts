/**
 * `traefikctl app logs` as a user runs it: lines in a pipe, and --follow ended by Ctrl-C (SIGINT),
 * against moto (whose StartLiveTail answers 500, so --follow polls).
 */
import { spawn } from 'node:child_process';

import { expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { BIN } from '../support/cli.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { projectDir, putLogLines, seedClusterStack, seedDeployment } from '../integration/app/seed.js';

describeWith(['moto'], 'traefikctl app logs', () => {
  it('prints ISO time, task id and message per line in a pipe', async () => {
    const env = uniqueName('l');
    const clients = new AwsClients();
    const { cluster, logGroup } = await seedClusterStack(clients, env);
    const { service } = await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
    const t = Date.now() - 60_000;
    await putLogLines(clients, logGroup, `${service}/whoami/task1`, [
      { timestamp: t, message: 'listening on :80' },
      { timestamp: t + 5, message: 'GET / 200' },
    ]);
    await clients.destroy();

    const { exitCode, stdout } = await runCli(['app', 'logs', 'whoami', '--tag', 'v1', '--env', env], {
      cwd: await projectDir(),
    });

    expect(exitCode).toBe(0);
    expect(stdout).toBe(
      `${new Date(t).toISOString()}\ttask1\tlistening on :80\n${new Date(t + 5).toISOString()}\ttask1\tGET / 200\n`,
    );
  });

  it('--follow prints new lines as they come and exits 0 on Ctrl-C', async () => {
    // given a deployment that has logged one line
    const env = uniqueName('l');
    const clients = new AwsClients();
    const { cluster, logGroup } = await seedClusterStack(clients, env);
    const { service } = await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
    const stream = `${service}/whoami/task1`;
    await putLogLines(clients, logGroup, stream, [{ timestamp: Date.now() - 1000, message: 'first' }]);

    // when its logs are followed
    const child = spawn(
      process.execPath,
      [BIN, 'app', 'logs', 'whoami', '--tag', 'v1', '--follow', '--env', env],
      {
        cwd: await projectDir(),
        env: { ...process.env, TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    await until(() => stdout.includes('\tfirst\n'));
    // and the task logs another line
    await putLogLines(clients, logGroup, stream, [{ timestamp: Date.now(), message: 'second' }], false);
    await until(() => stdout.includes('\tsecond\n'));
    child.kill('SIGINT');

    // then both lines were printed once, and Ctrl-C ended it cleanly
    expect(await exited).toBe(0);
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\t')[2]),
    ).toEqual(['first', 'second']);
    // the missing live tail is no news to the user
    expect(stderr).toBe('');
    await clients.destroy();
  });
});

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting for output');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
