/**
 * Who and where AWS is called as: a region that doesn't exist and a profile the shared files don't
 * have are usage errors (exit 2) before anything is sent, and credentials AWS rejects are said to be
 * rejected, not a missing IAM permission. moto accepts any key, so the rejections come from a local
 * server that answers every request the way AWS answers a bad key, through the real SDK clients.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { sdkDeployAws } from '../../../src/lib/app/deploy/ecs/api.js';
import { AwsClients } from '../../../src/lib/aws/clients.js';
import { explainAwsError } from '../../../src/lib/aws/errors.js';
import { checkProfile, profileNames } from '../../../src/lib/aws/profile.js';
import { checkRegion, isAwsRegion } from '../../../src/lib/aws/region.js';
import { readClusterOutputs } from '../../../src/lib/cluster/outputs.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { rejection } from '../../support/errors.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';

/** AWS's answer to a request signed with an unknown key, in each protocol's shape. */
async function rejectingServer(): Promise<LocalServer & { received: string[] }> {
  const received: string[] = [];
  const server = await startLocalServer((request, response) => {
    const target = request.headers['x-amz-target'];
    received.push(String(target ?? request.url));
    request.resume();
    if (typeof target === 'string') {
      // JSON protocols (ECS, ECR, SSM)
      response
        .writeHead(400, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-errortype': 'UnrecognizedClientException',
        })
        .end(
          JSON.stringify({
            __type: 'UnrecognizedClientException',
            message: 'The security token included in the request is invalid.',
          }),
        );
      return;
    }
    // Query protocols (STS, CloudFormation)
    response
      .writeHead(403, { 'content-type': 'text/xml' })
      .end(
        '<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>InvalidClientTokenId</Code><Message>The security token included in the request is invalid.</Message></Error><RequestId>4e1b9c2a-0d3f-4c55-9b7e-2f6a8d1c0e9b</RequestId></ErrorResponse>',
      );
  });
  return Object.assign(server, { received });
}

describe('credentials AWS rejects', () => {
  let server: LocalServer & { received: string[] };
  let clients: AwsClients | undefined;

  beforeEach(async () => {
    server = await rejectingServer();
    vi.stubEnv('AWS_ENDPOINT_URL', server.url);
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'AKIAIOSFODNN7EXAMPLE');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
    vi.stubEnv('AWS_PROFILE', '');
  });
  afterEach(async () => {
    await clients?.destroy();
    clients = undefined;
    vi.unstubAllEnvs();
    await server.close();
  });

  it('says the credentials were rejected, not that a permission is missing, in every protocol', async () => {
    // given clients whose key AWS doesn't know
    clients = new AwsClients({ region: 'eu-west-1', maxAttempts: 1 });
    const aws = sdkDeployAws(clients);

    // when STS (query), CloudFormation (query) and ECS (JSON) are called
    const sts = await rejection(aws.callerArn());
    const cloudformation = await rejection(readClusterOutputs(clients, 'dev'));
    const ecs = await rejection(aws.describeService('traefikctl-dev', 'whoami-v2'));

    // then each says what AWS said about the key, and how to find which credentials are used
    expect(sts.message).toBe(
      "Can't find out who you are in AWS: AWS rejected the credentials (InvalidClientTokenId).",
    );
    expect(cloudformation.message).toBe(
      "Can't read the stack traefikctl-dev: AWS rejected the credentials (InvalidClientTokenId).",
    );
    expect(ecs.message).toBe(
      "Can't look up the ECS service whoami-v2: AWS rejected the credentials (UnrecognizedClientException).",
    );
    for (const error of [sts, cloudformation, ecs]) {
      expect(error.code).toBe('AWS_CREDENTIALS_REJECTED');
      expect(error.exitCode).toBe(ExitCode.Failure);
      expect(error.suggestions).toEqual([
        'They come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: check both (and AWS_SESSION_TOKEN), or unset them to use a profile (--profile).',
        'See which identity AWS finds: `aws sts get-caller-identity`.',
        'AWS said: The security token included in the request is invalid.',
      ]);
      expect(error.suggestions.join('\n')).not.toMatch(/Grant|permission/);
    }
  });

  it('knows every name AWS gives a bad key or signature, and keeps a real denial a permission problem', () => {
    for (const name of [
      'InvalidClientTokenId',
      'UnrecognizedClientException',
      'SignatureDoesNotMatch',
      'InvalidSignatureException',
      'IncompleteSignature',
      'AuthFailure',
      'InvalidAccessKeyId',
    ]) {
      const error = explainAwsError(
        Object.assign(new Error('bad'), { name, $metadata: { httpStatusCode: 403 } }),
        'read the stack traefikctl-dev',
        'cloudformation:DescribeStacks',
      ) as UserError;
      expect(error.code, name).toBe('AWS_CREDENTIALS_REJECTED');
    }
    const denied = explainAwsError(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDenied',
        $metadata: { httpStatusCode: 403 },
      }),
      'read the stack traefikctl-dev',
      'cloudformation:DescribeStacks',
    ) as UserError;
    expect(denied.code).toBe('AWS_ACCESS_DENIED');
    expect(denied.suggestions[0]).toContain('cloudformation:DescribeStacks');
  });
});

describe('regions', () => {
  it("knows the partitions' region names, new regions of them included", () => {
    for (const region of [
      'us-east-1',
      'eu-west-3',
      'ap-southeast-5',
      'mx-central-1',
      'il-central-1',
      'ca-west-1',
      'cn-northwest-1',
      'us-gov-west-1',
      'us-iso-east-1',
      'us-isob-east-1',
      'eu-isoe-west-1',
      'us-isof-south-1',
      'eusc-de-east-1',
      'eu-north-9',
    ]) {
      expect(isAwsRegion(region), region).toBe(true);
    }
    for (const region of ['mars-north-7', 'US-EAST-1', 'us-east', 'useast1', 'eu-west-1a', '', 'us east 1']) {
      expect(isAwsRegion(region), region).toBe(false);
    }
  });

  it('refuses a region that does not exist with exit 2, before any client is built or call sent', async () => {
    const clients = new AwsClients({ region: 'mars-north-7' });
    expect(() => checkRegion('mars-north-7')).toThrow(UserError);
    const error = await rejection(clients.ecs());
    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('AWS_REGION_UNKNOWN');
    expect(error.message).toBe('The AWS region "mars-north-7" doesn\'t exist.');
    expect(error.suggestions[0]).toBe(
      'Pass a region such as --region us-east-1 or --region eu-west-1 (or set AWS_REGION, or `region` in the configuration).',
    );
    // and the deploy's own question "which region?" says so too, instead of "no region is set"
    expect((await rejection(sdkDeployAws(clients).region())).code).toBe('AWS_REGION_UNKNOWN');
    await clients.destroy();
  });
});

describe('profiles', () => {
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    home = await mkdtemp(path.join(tmpdir(), 'traefikctl-profiles-'));
    env = {
      AWS_CONFIG_FILE: path.join(home, 'config'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'credentials'),
    };
    await writeFile(
      env.AWS_CONFIG_FILE ?? '',
      '[default]\nregion = eu-west-1\n\n[profile dev]\nsso_session = corp\n[sso-session corp]\nsso_region = eu-west-1\n[services local]\n[ profile  prod ]\nregion = eu-west-1\n',
    );
    await writeFile(env.AWS_SHARED_CREDENTIALS_FILE ?? '', '[ci]\naws_access_key_id = AKIA\n');
  });

  it('reads the profiles of both shared files, and nothing else', () => {
    expect(profileNames(env)).toEqual(['ci', 'default', 'dev', 'prod']);
    for (const name of ['ci', 'default', 'dev', 'prod']) expect(() => checkProfile(name, env)).not.toThrow();
  });

  it('names a profile that does not exist, where it looked, and the ones there are (exit 2)', () => {
    const error = (() => {
      try {
        checkProfile('nosuch', env);
      } catch (thrown) {
        return thrown as UserError;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UserError);
    expect(error?.exitCode).toBe(ExitCode.Usage);
    expect(error?.code).toBe('AWS_PROFILE_UNKNOWN');
    expect(error?.message).toBe(
      `The AWS profile "nosuch" doesn't exist: neither ${env.AWS_CONFIG_FILE ?? ''} nor ${env.AWS_SHARED_CREDENTIALS_FILE ?? ''} has it.`,
    );
    expect(error?.suggestions).toEqual([
      'Pick one of yours with --profile (or AWS_PROFILE): ci, default, dev, prod.',
      'Or create it: `aws configure --profile nosuch` (or `aws configure sso --profile nosuch`).',
    ]);
    expect(() => checkProfile('corp', env)).toThrow(UserError);
    expect(() => checkProfile('local', env)).toThrow(UserError);
  });

  it('checks the profile before the first client is built', async () => {
    vi.stubEnv('AWS_CONFIG_FILE', env.AWS_CONFIG_FILE);
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', env.AWS_SHARED_CREDENTIALS_FILE);
    try {
      const clients = new AwsClients({ region: 'eu-west-1', profile: 'nosuch' });
      expect(() => clients.checkContext()).toThrow(/"nosuch" doesn't exist/);
      expect((await rejection(clients.sts())).code).toBe('AWS_PROFILE_UNKNOWN');
      await clients.destroy();
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
