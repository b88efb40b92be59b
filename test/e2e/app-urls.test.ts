/**
 * `traefikctl app urls` as a user or a CI step runs it: bin/run.js in a project directory, against
 * moto with the env's cluster stack in place (stdout and stderr are pipes, so output is plain).
 */
import { expect, it } from 'vitest';

import type { AppUrlsResult } from '../../src/lib/app/urls.js';
import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli } from '../support/cli.js';
import { startLocalServer } from '../support/local-server.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { projectDir, seedClusterStack, seedDeployment } from '../integration/app/seed.js';

describeWith(['moto'], 'traefikctl app urls', () => {
  it('lists the deployments of the env: --json for machines, tab-separated rows in a pipe', async () => {
    // given an env with a cluster stack, two deployments, and a neighbouring env with one
    const env = uniqueName('u');
    const other = uniqueName('u');
    const clients = new AwsClients();
    const { cluster } = await seedClusterStack(clients, env, {
      UrlPattern: `https://{app}-{tag}.${env}.example.com`,
    });
    await seedClusterStack(clients, other);
    await seedDeployment(clients, cluster, {
      env,
      app: 'whoami',
      tag: 'v1',
      deployedAt: '2026-08-01T10:00:00.000Z',
    });
    await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'feature/Login_Page' });
    await seedDeployment(clients, `traefikctl-${other}`, { env: other, app: 'whoami', tag: 'v1' });
    await clients.destroy();
    const cwd = await projectDir();

    // when the urls are asked for as JSON
    const json = await runCli(['app', 'urls', '--env', env, '--json'], { cwd });

    // then exactly the env's two deployments come back, with https URLs from the cluster
    expect(json.exitCode).toBe(0);
    const result = JSON.parse(json.stdout) as AppUrlsResult;
    expect(result.env).toBe(env);
    expect(result.deployments.map((d) => [d.tag, d.host, d.url])).toEqual([
      [
        'feature/Login_Page',
        `whoami-feature-login-page.${env}.example.com`,
        `https://whoami-feature-login-page.${env}.example.com`,
      ],
      ['v1', `whoami-v1.${env}.example.com`, `https://whoami-v1.${env}.example.com`],
    ]);
    expect(result.traefik.status).toBe('skipped');
    expect(json.stderr).toBe('');

    // when they are piped
    const piped = await runCli(['app', 'urls', 'whoami', '--env', env], { cwd });

    // then each is one tab-separated row with ISO times, and the skipped route status is a note on stderr
    expect(piped.exitCode).toBe(0);
    const rows = piped.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows.map((cells) => [cells[0], cells[1], cells[2], cells[3], cells[7]])).toEqual([
      [
        'whoami',
        'feature/Login_Page',
        `https://whoami-feature-login-page.${env}.example.com`,
        '1/1',
        expect.stringMatching(/Z$/),
      ],
      ['whoami', 'v1', `https://whoami-v1.${env}.example.com`, '1/1', '2026-08-01T10:00:00.000Z'],
    ]);
    expect(piped.stderr).toMatch(/^Route status not shown: no Traefik API is configured\./);
  });

  it('--check probes each URL through --probe-address and exits 6 when one does not answer', async () => {
    // given two deployments, and a stand-in for the load balancer on 127.0.0.1 that only serves v1
    const env = uniqueName('c');
    const clients = new AwsClients();
    const { cluster } = await seedClusterStack(clients, env);
    await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
    await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v2' });
    await clients.destroy();
    const balancer = await startLocalServer((request, response) => {
      // v1 answers; for v2 Traefik finds no router and answers its own 404
      const routed = request.headers.host === `whoami-v1.${env}.example.com`;
      response.statusCode = routed ? 200 : 404;
      response.end(routed ? '' : '404 page not found\n');
    });
    const address = `127.0.0.1:${balancer.port}`;

    try {
      // when the urls are checked
      const { exitCode, stdout, stderr } = await runCli(
        ['app', 'urls', '--env', env, '--check', '--probe-address', address, '--json'],
        { cwd: await projectDir() },
      );

      // then each deployment (newest first) carries its probe result, and the failed one sets exit 6
      const result = JSON.parse(stdout) as AppUrlsResult;
      expect(result.deployments.map((d) => [d.tag, d.check?.ok, d.check?.status])).toEqual([
        ['v2', false, 404],
        ['v1', true, 200],
      ]);
      expect(exitCode).toBe(6);
      expect(stderr).toBe('');
    } finally {
      await balancer.close();
    }
  });

  it('fails with the command that creates the cluster when the env has none', async () => {
    const env = uniqueName('n');
    const { exitCode, stdout, stderr } = await runCli(['app', 'urls', '--env', env], {
      cwd: await projectDir(),
    });
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`No cluster for env ${env}: stack traefikctl-${env} doesn't exist.`);
    expect(stderr).toContain(`traefikctl cluster up --env ${env}`);
  });

  it('exits 2 naming the deployed apps for an app with no deployment', async () => {
    const env = uniqueName('a');
    const clients = new AwsClients();
    const { cluster } = await seedClusterStack(clients, env);
    await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
    await clients.destroy();

    const { exitCode, stderr } = await runCli(['app', 'urls', 'whoamy', '--env', env], {
      cwd: await projectDir(),
    });

    expect(exitCode).toBe(2);
    expect(stderr).toContain(`The app whoamy has no deployment in env ${env} (deployed apps: whoami).`);
    expect(stderr).toContain('Did you mean whoami?');
  });
});
