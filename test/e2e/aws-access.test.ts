/**
 * A wrong region, profile or key, as a user sees it: bin/run.js with an AWS endpoint on 127.0.0.1
 * that records what reaches it. moto accepts any region name (and answers an unknown one with an
 * error page) and any key, so the key AWS rejects comes from a local server answering as AWS does.
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { onEc2 } from '../../src/lib/aws/instance-metadata.js';
import { runCli } from '../support/cli.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';

let server: LocalServer;
const received: string[] = [];

beforeAll(async () => {
  server = await startLocalServer((request, response) => {
    received.push(String(request.headers['x-amz-target'] ?? request.url));
    request.resume();
    response
      .writeHead(403, { 'content-type': 'text/xml' })
      .end(
        '<ErrorResponse><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>1</RequestId></ErrorResponse>',
      );
  });
});
afterAll(() => server.close());

/** A project and a HOME with two AWS profiles, dev and prod; AWS calls go to the recording server. */
async function setup(): Promise<{ cwd: string; env: NodeJS.ProcessEnv }> {
  const home = await mkdtemp(path.join(tmpdir(), 'traefikctl-access-'));
  await mkdir(path.join(home, '.aws'));
  await writeFile(
    path.join(home, '.aws', 'config'),
    '[profile dev]\nregion = eu-west-1\n[profile prod]\nregion = eu-west-1\n',
  );
  await writeFile(
    path.join(home, '.aws', 'credentials'),
    '[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wrong\n[prod]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wrong\n',
  );
  const cwd = path.join(home, 'project');
  await mkdir(cwd);
  await writeFile(
    path.join(cwd, 'traefikctl.config.yaml'),
    'domain: example.com\napps:\n  whoami:\n    port: 80\n',
  );
  return {
    cwd,
    env: {
      HOME: home,
      AWS_CONFIG_FILE: path.join(home, '.aws', 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, '.aws', 'credentials'),
      AWS_ENDPOINT_URL: server.url,
      AWS_REGION: 'eu-west-1',
    },
  };
}

describe('traefikctl with a wrong region, profile or key', () => {
  it('refuses a region that does not exist with exit 2 and the fix, sending nothing', async () => {
    const { cwd, env } = await setup();
    received.length = 0;

    for (const [args, extra] of [
      [['cluster', 'status', '--region', 'mars-north-7'], {}],
      [['app', 'deploy', 'whoami', '--tag', 'v2', '--region', 'mars-north-7'], {}],
      [['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run'], { AWS_REGION: 'mars-north-7' }],
    ] as const) {
      const { exitCode, stdout, stderr } = await runCli(args, { cwd, env: { ...env, ...extra } });
      expect({ args, exitCode }).toEqual({ args, exitCode: 2 });
      expect(stdout).toBe('');
      expect(stderr).toContain('Error: The AWS region "mars-north-7" doesn\'t exist.');
      expect(stderr).toContain('→ Pass a region such as --region us-east-1 or --region eu-west-1');
      expect(stderr).not.toContain('looks like a bug');
    }
    expect(received).toEqual([]);
  });

  it('names a profile that does not exist and the ones there are, with exit 2, sending nothing', async () => {
    const { cwd, env } = await setup();
    received.length = 0;

    const { exitCode, stderr } = await runCli(['cluster', 'status', '--profile', 'nosuch'], {
      cwd,
      env,
      unset: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    });

    expect(exitCode).toBe(2);
    expect(stderr).toContain(
      `Error: The AWS profile "nosuch" doesn't exist: neither ${env.AWS_CONFIG_FILE ?? ''} nor`,
    );
    expect(stderr).toContain('→ Pick one of yours with --profile (or AWS_PROFILE): dev, prod.');
    expect(stderr).not.toContain('no AWS credentials were found');
    expect(received).toEqual([]);
  });

  it('says AWS rejected the credentials, not that the role lacks a permission', async () => {
    const { cwd, env } = await setup();

    const { exitCode, stderr } = await runCli(['cluster', 'status', '--profile', 'dev'], {
      cwd,
      env,
      unset: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    });

    expect(exitCode).toBe(1);
    expect(stderr).toContain(
      "Error: Can't read the stack traefikctl-dev: AWS rejected the credentials (InvalidClientTokenId).",
    );
    expect(stderr).toContain('→ See which identity AWS finds: `aws sts get-caller-identity`.');
    expect(stderr).not.toContain('Grant your role');
  });

  /**
   * Instance metadata is 169.254.169.254 in real life; here the SDK is sent to a recording server on
   * 127.0.0.1 instead (AWS_EC2_METADATA_SERVICE_ENDPOINT), so that even a regression sends nothing to
   * the link-local address. It answers 404, as a metadata service with no role does.
   */
  it('with no credentials anywhere, asks instance metadata only on EC2 or when told to', async () => {
    const { cwd, env } = await setup();
    const metadataRequests: string[] = [];
    const metadata = await startLocalServer((request, response) => {
      metadataRequests.push(`${request.method ?? ''} ${request.url ?? ''}`);
      request.resume();
      response.writeHead(404).end();
    });
    try {
      const noCredentials = {
        cwd,
        env: {
          ...env,
          AWS_CONFIG_FILE: path.join(cwd, 'no-config'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(cwd, 'no-credentials'),
          AWS_EC2_METADATA_SERVICE_ENDPOINT: metadata.url,
        },
        unset: [
          'AWS_ACCESS_KEY_ID',
          'AWS_SECRET_ACCESS_KEY',
          'AWS_SESSION_TOKEN',
          'AWS_PROFILE',
          'AWS_EC2_METADATA_DISABLED',
          'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
          'AWS_CONTAINER_CREDENTIALS_FULL_URI',
          'AWS_WEB_IDENTITY_TOKEN_FILE',
        ],
      };

      // The quick start's command on a machine with no AWS set up: the whole plan, AWS skipped.
      received.length = 0;
      const dryRun = await runCli(
        ['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run', '--json'],
        noCredentials,
      );
      expect(dryRun.exitCode).toBe(0);
      const plan = JSON.parse(dryRun.stdout) as { skipped: { check: string; reason: string }[] };
      expect(plan.skipped.map((item) => item.check).join(' ')).toBe('identity cluster image service traefik');
      expect(plan.skipped[0]?.reason).toContain('no AWS credentials were found');
      // This machine's own answer: on an EC2 instance the SDK may ask for the instance role.
      const ec2 = onEc2();
      expect(metadataRequests.length > 0).toBe(ec2);

      const deploy = await runCli(['app', 'deploy', 'whoami', '--tag', 'v2'], noCredentials);
      expect(deploy.stderr).toContain('no AWS credentials were found');
      expect(received).toEqual([]);
      if (!ec2) {
        expect(deploy.stderr).toContain(
          '→ To use an EC2 instance role, set AWS_EC2_METADATA_DISABLED=false: traefikctl asks instance metadata only where the machine shows it is on EC2.',
        );
      }

      // Told to, it asks anywhere (the check above could see a request).
      metadataRequests.length = 0;
      const told = await runCli(['app', 'deploy', 'whoami', '--tag', 'v2', '--dry-run', '--json'], {
        ...noCredentials,
        env: { ...noCredentials.env, AWS_EC2_METADATA_DISABLED: 'false' },
        unset: noCredentials.unset.filter((name) => name !== 'AWS_EC2_METADATA_DISABLED'),
      });
      expect(told.exitCode).toBe(0);
      expect(metadataRequests.length).toBeGreaterThan(0);
      expect(told.stdout).not.toContain('AWS_EC2_METADATA_DISABLED=false');
    } finally {
      await metadata.close();
    }
  });
});
