import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { CreateClusterCommand } from '@aws-sdk/client-ecs';
import { expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import type { DoctorReport } from '../../src/lib/doctor/run.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';

async function projectWithConfig(env: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-doctor-'));
  await writeFile(
    path.join(dir, 'traefikctl.config.yaml'),
    `domain: example.com\nenvironment: ${env}\napps:\n  whoami:\n    port: 80\n`,
  );
  return dir;
}

describeWith(['moto', 'docker'], 'traefikctl doctor', () => {
  it('passes every AWS check against the emulator once the cluster exists', async () => {
    // given a project whose env has a cluster in moto
    const env = uniqueName('d').slice(0, 12);
    const cwd = await projectWithConfig(env);
    const clients = new AwsClients();
    await (await clients.ecs()).send(new CreateClusterCommand({ clusterName: `traefikctl-${env}` }));
    await clients.destroy();

    // when the doctor runs with --json
    const { stdout, exitCode } = await runCli(['doctor', '--json'], { cwd });

    // then each check is reported and all pass
    const report = JSON.parse(stdout) as DoctorReport;
    expect(report.checks.map((c) => [c.id, c.status])).toEqual([
      ['node', 'ok'],
      ['docker', 'ok'],
      ['config', 'ok'],
      ['region', 'ok'],
      ['credentials', 'ok'],
      ['cluster', 'ok'],
      ['traefik', 'skip'],
    ]);
    expect(report.checks.find((c) => c.id === 'credentials')?.detail).toContain('123456789012');
    expect(report.ok).toBe(true);
    expect(exitCode).toBe(0);
  });

  it('fails the cluster check with the command that creates it', async () => {
    const env = uniqueName('m').slice(0, 12);
    const cwd = await projectWithConfig(env);
    const { stdout, exitCode } = await runCli(['doctor'], { cwd });
    expect(stdout).toMatch(new RegExp(`✗ ECS cluster +traefikctl-${env} doesn't exist`));
    expect(stdout).toContain(`traefikctl cluster up --env ${env}`);
    expect(exitCode).toBe(1);
  });

  it('names an invalid TRAEFIKCTL_AWS_TIMEOUT instead of calling AWS, rather than blaming the region', async () => {
    const cwd = await projectWithConfig('dev');
    const { stdout, exitCode } = await runCli(['doctor', '--json'], {
      cwd,
      env: { TRAEFIKCTL_AWS_TIMEOUT: 'forever' },
    });
    const report = JSON.parse(stdout) as DoctorReport;
    const region = report.checks.find((c) => c.id === 'region');
    expect(region).toMatchObject({
      status: 'fail',
      detail: 'TRAEFIKCTL_AWS_TIMEOUT="forever" is not a timeout between 100ms and 10m.',
    });
    expect(report.checks.find((c) => c.id === 'credentials')?.status).toBe('skip');
    expect(exitCode).toBe(1);
  });

  it('fails the docker check with a fix when the daemon is down, and exits 1', async () => {
    const cwd = await projectWithConfig('dev');
    const { stdout, exitCode } = await runCli(['doctor', '--json'], {
      cwd,
      env: { DOCKER_HOST: `unix://${path.join(cwd, 'no-docker.sock')}` },
    });
    const docker = (JSON.parse(stdout) as DoctorReport).checks.find((c) => c.id === 'docker');
    expect(docker?.status).toBe('fail');
    expect(docker?.detail).toMatch(/Docker daemon/);
    expect(docker?.fix).toBeTruthy();
    expect(exitCode).toBe(1);
  });

  it('reports a broken configuration as a failed check naming the file and key', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-doctor-'));
    await writeFile(path.join(cwd, 'traefikctl.config.yaml'), 'apps:\n  whoami:\n    port: eighty\n');
    const { stdout, exitCode } = await runCli(['doctor'], { cwd });
    expect(stdout).toMatch(/✗ Configuration +traefikctl\.config\.yaml:3:11: apps\.whoami\.port/);
    expect(exitCode).toBe(1);
  });
});
