/**
 * `app deploy --timeout`, as CI relies on it: one duration grammar checked before anything else (dry
 * run or not), and a deadline that bounds the whole command, the URL probe's requests included.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { startAwsProxy } from '../support/aws-proxy.js';
import { runCli } from '../support/cli.js';
import { startLocalServer } from '../support/local-server.js';
import { describeWith } from '../support/stack.js';
import { createDeployEnvironment, putImage } from '../integration/app/deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** No AWS identity, and an endpoint nothing listens on: any AWS call would fail differently. */
async function noAws(): Promise<{ env: NodeJS.ProcessEnv; unset: string[] }> {
  const home = await mkdtemp(path.join(tmpdir(), 'traefikctl-no-aws-'));
  return {
    env: {
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, 'no-config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'no-credentials'),
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9',
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_REGION: 'eu-west-1',
    },
    unset: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE'],
  };
}

async function project(): Promise<string> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-deadline-'));
  await writeFile(
    path.join(cwd, 'traefikctl.config.yaml'),
    'domain: example.com\napps:\n  whoami:\n    port: 80\n',
  );
  return cwd;
}

describe('traefikctl app deploy --timeout', () => {
  it('refuses what is not a positive duration with exit 2, dry run or not, before anything else', async () => {
    const cwd = await project();
    const { env, unset } = await noAws();

    for (const value of ['abc', '-5s', '0', '0s', '5 s', '10x']) {
      for (const dryRun of [['--dry-run'], []]) {
        // when
        const { exitCode, stdout, stderr } = await runCli(
          ['app', 'deploy', 'whoami', '--tag', 'v2', ...dryRun, `--timeout=${value}`],
          { cwd, env, unset },
        );

        // then the flag and the fix are named, and no plan was printed
        expect({ value, dryRun, exitCode }).toEqual({ value, dryRun, exitCode: 2 });
        expect(stdout).toBe('');
        expect(stderr).toContain(
          `Error: --timeout ${JSON.stringify(value)} is not a duration between 1s and 24h.`,
        );
        expect(stderr).toContain('→ Pass one such as --timeout 90s, --timeout 10m or --timeout 1h.');
      }
    }
  });

  it('accepts the same grammar as every other duration: decimals, ms, s, m, h, plain seconds', async () => {
    const cwd = await project();
    const { env, unset } = await noAws();
    for (const value of ['90s', '1.5m', '1h', '45', '2500ms']) {
      const { exitCode, stderr } = await runCli(
        ['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run', '--timeout', value],
        { cwd, env, unset },
      );
      expect({ value, exitCode, stderr }).toEqual({ value, exitCode: 0, stderr: '' });
    }
  });
});

describeWith(['moto'], 'traefikctl app deploy against a URL that never answers', () => {
  it('gives up at --timeout, however long one probe request may take', async () => {
    // given a deployment whose URL accepts connections and never answers (each probe request may
    // wait 10 s on its own)
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'deadline');
    const silent = await startLocalServer();

    // when deployed with a 3 s deadline
    const started = Date.now();
    const { exitCode, stdout, stderr } = await runCli(
      [
        'app',
        'deploy',
        'whoami',
        '--tag',
        'deadline',
        '--probe-address',
        `127.0.0.1:${silent.port}`,
        '--timeout',
        '3s',
      ],
      { cwd: environment.cwd },
    );
    const elapsed = Date.now() - started;
    await silent.close();

    // then it timed out (exit 4) within the deadline plus the CLI's start-up, not after a whole probe
    expect(exitCode).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/doesn't answer after the --timeout of 3s/);
    expect(elapsed).toBeLessThan(3_000 + 3_500);
  });

  it('gives up at --timeout while an AWS call hangs, saying the change may have happened', async () => {
    // given ECS taking CreateService and never answering it (each attempt would wait 30 s)
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'deadline');
    const proxy = await startAwsProxy(process.env.AWS_ENDPOINT_URL ?? 'http://127.0.0.1:5055');
    proxy.swallow.add('CreateService');

    // when deployed with a 2 s deadline
    const started = Date.now();
    const { exitCode, stdout, stderr } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'deadline', '--skip-probe', '--timeout', '2s'],
      { cwd: environment.cwd, env: { AWS_ENDPOINT_URL: proxy.url } },
    );
    const elapsed = Date.now() - started;
    await proxy.close();

    // then it timed out (exit 4) at the deadline, and says what may have happened and how to look
    expect(exitCode).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toContain(
      'Error: Gave up after the --timeout of 2s while ECS was creating the service whoami-deadline: the request was sent, so the service may exist now.',
    );
    expect(stderr).toContain(
      `→ See what is there: \`aws ecs describe-services --cluster ${environment.cluster} --services whoami-deadline\`.`,
    );
    expect(stderr).toContain('→ Or give it longer next time: --timeout 20m.');
    expect(elapsed).toBeLessThan(2_000 + 3_500);
  });
});
