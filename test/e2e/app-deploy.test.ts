import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, describe, expect, it } from 'vitest';

import type { DeployResult } from '../../src/lib/app/deploy/index.js';
import type { DryRunResult } from '../../src/lib/app/deploy/dry-run.js';
import { AwsClients } from '../../src/lib/aws/clients.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { describeWith } from '../support/stack.js';
import { createDeployEnvironment, putImage } from '../integration/app/deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** An environment with no AWS identity at all. Should anything still try, it can only reach a closed local port. */
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
    unset: [
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_PROFILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
    ],
  };
}

async function quickStartProject(): Promise<string> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-quickstart-'));
  await writeFile(
    path.join(cwd, 'traefikctl.config.yaml'),
    'domain: example.com\napps:\n  whoami:\n    port: 80\n',
  );
  return cwd;
}

describe('traefikctl app deploy --dry-run, with no AWS at all', () => {
  it('prints the whole plan as JSON, says what it skipped, and exits 0', async () => {
    const cwd = await quickStartProject();
    const { env, unset } = await noAws();

    const { stdout, stderr, exitCode } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'feature/Login_Page', '--dry-run', '--json'],
      { cwd, env, unset },
    );

    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    const plan = JSON.parse(stdout) as DryRunResult;
    expect(plan).toMatchObject({
      dryRun: true,
      target: 'ecs',
      app: 'whoami',
      tag: 'feature/Login_Page',
      env: 'dev',
      host: 'whoami-feature-login-page.dev.example.com',
      url: 'http://whoami-feature-login-page.dev.example.com',
      serviceName: 'whoami-feature-login-page',
      action: 'unknown',
      image: { pinned: false },
    });
    expect(plan.taskDefinition.containerDefinitions?.[0]?.dockerLabels).toMatchObject({
      'traefik.http.routers.whoami-feature-login-page.rule':
        'Host(`whoami-feature-login-page.dev.example.com`)',
    });
    expect(plan.skipped.map((item) => item.check).join(' ')).toBe('identity cluster image service traefik');
    expect(plan.skipped[0]?.reason).toMatch(/no AWS credentials/);
  });

  it('prints a readable plan on stdout in a pipe, without colour', async () => {
    const cwd = await quickStartProject();
    const { env, unset } = await noAws();

    const { stdout, exitCode } = await runCli(['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run'], {
      cwd,
      env,
      unset,
    });

    expect(exitCode).toBe(0);
    expect(stdout).toMatch(
      /^Plan: whoami at "v2" on env dev \(dry run: nothing is changed\)\n {2}URL {6}http:\/\/whoami-v2\.dev\.example\.com\n/,
    );
    expect(stdout).toContain('\nNot checked\n');
    expect(stdout).not.toContain('\u001b[');
  });

  it('exits 2 with the fix for a tag without letters or digits, or no domain', async () => {
    const { env, unset } = await noAws();
    const symbols = await runCli(['app', 'deploy', 'whoami', '--tag', '///', '--dry-run'], {
      cwd: await quickStartProject(),
      env,
      unset,
    });
    expect(symbols.exitCode).toBe(2);
    expect(symbols.stdout).toBe('');
    expect(symbols.stderr).toContain('Error: The tag "///" has no letters or digits');

    const bare = await mkdtemp(path.join(tmpdir(), 'traefikctl-bare-'));
    const noDomain = await runCli(['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run'], {
      cwd: bare,
      env,
      unset,
    });
    expect(noDomain.exitCode).toBe(2);
    expect(noDomain.stderr).toContain('traefikctl init --domain example.com');
  });

  it('documents the exit codes and flags in --help', async () => {
    const { stdout } = await runCli(['app', 'deploy', '--help']);
    for (const text of [
      '--dry-run',
      '--no-wait',
      '--timeout',
      '--skip-route-check',
      '--skip-probe',
      '--probe-address',
      '3    deployment failed, was rolled back, deleted or taken over',
      '130  interrupted',
    ]) {
      expect(stdout).toContain(text);
    }
  });
});

describeWith(['moto'], 'traefikctl app deploy against moto', () => {
  it('prints only the URL on stdout and the progress on stderr, so URL=$(...) works', async () => {
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'v1');

    const { stdout, stderr, exitCode } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'v1', '--skip-probe'],
      {
        cwd: environment.cwd,
      },
    );

    expect(exitCode).toBe(0);
    expect(stdout).toBe(`http://whoami-v1.${environment.env}.example.com\n`);
    expect(stderr).toMatch(/^✓ Register task definition: whoami-v1:\d+ \(\d+ms\)$/m);
    expect(stderr).toMatch(/^✓ Create service whoami-v1: ecs-svc\/\d+/m);
    expect(stderr).toContain('- Route in Traefik skipped: no Traefik API configured (traefik.apiUrl)');
  });

  it('prints only the result object with --json', async () => {
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'v1');

    const { stdout, stderr, exitCode } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'v1', '--skip-probe', '--json'],
      { cwd: environment.cwd },
    );

    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as DeployResult;
    // the contract CI scripts read
    expect(Object.keys(result).sort()).toEqual(
      [
        'action',
        'app',
        'deploymentId',
        'env',
        'host',
        'image',
        'phases',
        'service',
        'status',
        'tag',
        'taskDefinitionArn',
        'url',
      ].sort(),
    );
    expect(result).toMatchObject({ app: 'whoami', tag: 'v1', service: 'whoami-v1', status: 'rolled-out' });
  });

  it('exits 1 with the push command when the image is not in ECR, and 2 for an unknown app', async () => {
    const environment = await createDeployEnvironment(clients);

    const missing = await runCli(['app', 'deploy', 'whoami', '--tag', 'v7'], { cwd: environment.cwd });
    expect(missing.exitCode).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('→ Push it first: `traefikctl image push whoami --tag v7`.');

    // and the dry run sees it coming: the plan is printed, and the exit code says the deploy would fail
    const planned = await runCli(['app', 'deploy', 'whoami', '--tag', 'v7', '--dry-run'], {
      cwd: environment.cwd,
    });
    expect(planned.exitCode).toBe(1);
    expect(planned.stdout).toMatch(/\nThe deploy would fail\n {2}✗ ECR has no image whoami-[0-9a-f]+:v7/);

    const unknown = await runCli(['app', 'deploy', 'whoaim', '--tag', 'v7'], { cwd: environment.cwd });
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('Did you mean whoami?');
  });

  it('exits 4 when the URL is still not answering at --timeout', async () => {
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'v1');

    // nothing listens on 127.0.0.1:9 (discard), so the probe keeps failing
    const { stdout, stderr, exitCode } = await runCli(
      ['app', 'deploy', 'whoami', '--tag', 'v1', '--probe-address', '127.0.0.1:9', '--timeout', '4s'],
      { cwd: environment.cwd },
    );

    expect(exitCode).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/doesn't answer after the --timeout of 4s: the request failed \(ECONNREFUSED\)/);
  });

  it('stops watching on Ctrl-C with exit 130, saying the deployment goes on and how to watch again', async () => {
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'v1');

    // when Ctrl-C comes while the URL is probed
    const result = await new Promise<CliResult>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [BIN, 'app', 'deploy', 'whoami', '--tag', 'v1', '--probe-address', '127.0.0.1:9'],
        {
          cwd: environment.cwd,
          env: process.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      let sent = false;
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (!sent && stderr.includes('▸ Probe')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      child.on('error', reject);
      child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr }));
    });

    expect(result.exitCode).toBe(130);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /Error: Stopped watching whoami-v1: the deployment ecs-svc\/\d+ goes on in ECS\./,
    );
    expect(result.stderr).toContain(
      `→ Watch it again (it picks up the same deployment): \`traefikctl app deploy whoami --tag v1 --env ${environment.env}\`.`,
    );
    expect(result.stderr).toContain(
      `→ Or remove it: \`traefikctl app destroy whoami --tag v1 --env ${environment.env}\`.`,
    );
  });
});
