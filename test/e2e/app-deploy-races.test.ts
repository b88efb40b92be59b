/**
 * `app deploy` while someone else changes the same service, as a user sees it: bin/run.js against
 * moto. A deploy that is still waiting for its URL when `app destroy` of the same tag removes the
 * service must say so (exit 3) at its next look, instead of waiting out its timeout and claiming
 * that the deployment stays in place.
 */
import { spawn } from 'node:child_process';

import { afterAll, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { BIN, runCli, type CliResult } from '../support/cli.js';
import { describeWith } from '../support/stack.js';
import { createDeployEnvironment, putImage } from '../integration/app/deploy-fixture.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** Runs the CLI and calls `onMarker` once stderr shows `marker`; resolves when the CLI exits. */
function runUntil(
  args: readonly string[],
  cwd: string,
  marker: string,
  onMarker: () => void,
): Promise<CliResult & { exitedAt: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { ...process.env, TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 90_000,
    });
    let stdout = '';
    let stderr = '';
    let seen = false;
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!seen && stderr.includes(marker)) {
        seen = true;
        onMarker();
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, stdout, stderr, exitedAt: Date.now() }));
  });
}

describeWith(['moto'], 'traefikctl app deploy while the service changes under it', () => {
  it('notices that app destroy removed its service while it waited for the URL, and exits 3 at once', async () => {
    // given a tag being deployed, its URL not answering (nothing listens on 127.0.0.1:9)
    const environment = await createDeployEnvironment(clients);
    await putImage(clients, environment.repository, 'destroyed');
    let destroyed: Promise<CliResult & { doneAt: number }> | undefined;

    // when `app destroy` of the same tag runs while the deploy probes the URL
    const deploy = await runUntil(
      ['app', 'deploy', 'whoami', '--tag', 'destroyed', '--probe-address', '127.0.0.1:9', '--timeout', '60s'],
      environment.cwd,
      '▸ Probe',
      () => {
        destroyed = runCli(['app', 'destroy', 'whoami', '--tag', 'destroyed', '--yes'], {
          cwd: environment.cwd,
        }).then((result) => ({ ...result, doneAt: Date.now() }));
      },
    );
    const destroy = await destroyed;

    // then the destroy worked, and the deploy said at its next look that its service is gone (exit 3),
    // long before its 60 s timeout
    expect(destroy?.exitCode).toBe(0);
    expect(deploy.exitCode).toBe(3);
    expect(deploy.exitedAt - (destroy?.doneAt ?? 0)).toBeLessThan(15_000);
    expect(deploy.stdout).toBe('');
    expect(deploy.stderr).toContain(
      'Error: The ECS service whoami-destroyed is inactive: it was deleted while deploying.',
    );
    expect(deploy.stderr).not.toContain('stays in place');
  });
});
