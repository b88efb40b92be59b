/**
 * AWS calls that get no answer: the SDK clients give up after their connection and request timeouts,
 * and the failure tells the user what timed out, whether anything may have changed, and how to check.
 * moto always answers, so the endpoint here is a local server that accepts requests and never replies.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { sdkDeployAws } from '../../../src/lib/app/deploy/ecs/api.js';
import {
  AwsClients,
  DEFAULT_CONNECTION_TIMEOUT_MS,
  DEFAULT_REQUEST_TIMEOUT_MS,
  timeoutFromEnvironment,
} from '../../../src/lib/aws/clients.js';
import { explainAwsError } from '../../../src/lib/aws/errors.js';
import { executeChangeSet } from '../../../src/lib/cluster/change-set.js';
import { deleteStack } from '../../../src/lib/cluster/stack-events.js';
import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { rejection } from '../../support/errors.js';
import { startLocalServer } from '../../support/local-server.js';

interface Silent {
  url: string;
  /** The operations it was sent, from X-Amz-Target (ECS speaks JSON 1.1). */
  received: string[];
  close(): Promise<void>;
}

/** A server on 127.0.0.1 that reads every request and never answers it. */
async function silentServer(): Promise<Silent> {
  const received: string[] = [];
  const { url, close } = await startLocalServer((request) => {
    received.push(String(request.headers['x-amz-target'] ?? request.url));
    request.resume();
  });
  return { url, received, close };
}

describe('AWS calls that get no answer', () => {
  let silent: Silent;
  let clients: AwsClients | undefined;

  beforeEach(async () => {
    silent = await silentServer();
    vi.stubEnv('AWS_ENDPOINT_URL', silent.url);
  });
  afterEach(async () => {
    await clients?.destroy();
    clients = undefined;
    vi.unstubAllEnvs();
    await silent.close();
  });

  it('gives up on a hung RegisterTaskDefinition after the request timeout of each attempt, and says how to check', async () => {
    // given clients with a short request timeout and two attempts
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 2, requestTimeoutMs: 300 });
    const aws = sdkDeployAws(clients);
    const started = Date.now();

    // when a task definition is registered and AWS never answers
    const error = await rejection(
      aws.registerTaskDefinition({
        family: 'whoami-v2',
        containerDefinitions: [{ name: 'whoami', image: 'whoami', memory: 512 }],
      }),
    );

    // then the call ends after two attempts instead of hanging
    expect(silent.received).toEqual([
      'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition',
      'AmazonEC2ContainerServiceV20141113.RegisterTaskDefinition',
    ]);
    expect(Date.now() - started).toBeLessThan(10_000);
    // and the user learns what timed out, that it may have happened, and how to look
    expect(error.code).toBe('AWS_TIMEOUT');
    expect(error.exitCode).toBe(ExitCode.TimedOut);
    expect(error.message).toBe(
      "Can't register the task definition whoami-v2: AWS did not answer within 300ms (2 attempts).",
    );
    expect(error.suggestions).toEqual([
      'The request was sent, so AWS may or may not have carried it out. See what is there now: `aws ecs list-task-definitions --family-prefix whoami-v2 --sort DESC --max-items 1`.',
      `AWS_ENDPOINT_URL is set to ${silent.url}: is that endpoint up? Then run the command again.`,
      'On a slow network, give AWS longer to answer: TRAEFIKCTL_AWS_TIMEOUT=60s.',
    ]);
  });

  it('names the service and the command that shows it when CreateService or UpdateService hangs', async () => {
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 200 });
    const aws = sdkDeployAws(clients);

    const created = await rejection(
      aws.createService({ cluster: 'traefikctl-dev', serviceName: 'whoami-v2', taskDefinition: 'whoami-v2' }),
    );
    const updated = await rejection(
      aws.updateService({ cluster: 'traefikctl-dev', service: 'whoami-v2', taskDefinition: 'whoami-v2' }),
    );

    expect(created.message).toBe("Can't create the ECS service whoami-v2: AWS did not answer within 200ms.");
    expect(updated.message).toBe("Can't update the ECS service whoami-v2: AWS did not answer within 200ms.");
    for (const error of [created, updated]) {
      expect(error.suggestions[0]).toContain(
        '`aws ecs describe-services --cluster traefikctl-dev --services whoami-v2`',
      );
    }
  });

  it('tells cluster up and cluster down to look at cluster status when the stack change hangs', async () => {
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 200 });
    const cloudformation = await clients.cloudformation();
    const check = 'traefikctl cluster status --env dev';

    const updated = await rejection(
      executeChangeSet(
        cloudformation,
        'traefikctl-dev',
        { name: 'traefikctl-1', stackId: 'arn:stack', changes: [] },
        check,
      ),
    );
    const deleted = await rejection(deleteStack(cloudformation, 'arn:stack', 'traefikctl-dev', check));

    expect(updated.message).toBe("Can't update the stack traefikctl-dev: AWS did not answer within 200ms.");
    expect(deleted.message).toBe("Can't delete the stack traefikctl-dev: AWS did not answer within 200ms.");
    for (const error of [updated, deleted]) {
      expect(error.code).toBe('AWS_TIMEOUT');
      expect(error.exitCode).toBe(ExitCode.TimedOut);
      expect(error.suggestions[0]).toBe(
        'The request was sent, so AWS may or may not have carried it out. See what is there now: `traefikctl cluster status --env dev`.',
      );
    }
  });

  it('also bounds reads, which have nothing to check', async () => {
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1, requestTimeoutMs: 200 });

    const error = await rejection(sdkDeployAws(clients).describeService('traefikctl-dev', 'whoami-v2'));

    expect(error.message).toBe("Can't look up the ECS service whoami-v2: AWS did not answer within 200ms.");
    expect(error.suggestions).toEqual([
      `AWS_ENDPOINT_URL is set to ${silent.url}: is that endpoint up?`,
      'Then run the command again.',
      'On a slow network, give AWS longer to answer: TRAEFIKCTL_AWS_TIMEOUT=60s.',
    ]);
  });

  it('waits as long as TRAEFIKCTL_AWS_TIMEOUT says, when the code sets no limit of its own', async () => {
    // given a request timeout of 400ms from the environment, and one attempt
    vi.stubEnv('TRAEFIKCTL_AWS_TIMEOUT', '400ms');
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1 });

    // when a call gets no answer
    const error = await rejection(sdkDeployAws(clients).describeService('traefikctl-dev', 'whoami-v2'));

    // then it gave up after the environment's limit, not the default 30s
    expect(error.message).toBe("Can't look up the ECS service whoami-v2: AWS did not answer within 400ms.");
  });

  it('refuses a TRAEFIKCTL_AWS_TIMEOUT that is not a duration, with exit 2, before sending anything', async () => {
    vi.stubEnv('TRAEFIKCTL_AWS_TIMEOUT', 'forever');
    clients = new AwsClients({ region: 'us-east-1', maxAttempts: 1 });

    const error = await rejection(sdkDeployAws(clients).describeService('traefikctl-dev', 'whoami-v2'));

    expect(error.exitCode).toBe(ExitCode.Usage);
    expect(error.code).toBe('AWS_TIMEOUT_INVALID');
    expect(error.message).toBe('TRAEFIKCTL_AWS_TIMEOUT="forever" is not a timeout between 100ms and 10m.');
    expect(silent.received).toEqual([]);
  });
});

describe('timeoutFromEnvironment', () => {
  it('reads durations in ms, s or m, plain numbers as seconds, and nothing when unset', () => {
    const read = (value: string | undefined) =>
      timeoutFromEnvironment('TRAEFIKCTL_AWS_TIMEOUT', { TRAEFIKCTL_AWS_TIMEOUT: value });
    expect(read('60s')).toBe(60_000);
    expect(read('2m')).toBe(120_000);
    expect(read('1500ms')).toBe(1500);
    expect(read('45')).toBe(45_000);
    expect(read(' 1.5s ')).toBe(1500);
    expect(read(undefined)).toBeUndefined();
    expect(read('')).toBeUndefined();
    for (const bad of ['0', '50ms', '11m', '1h', '-5s', 'soon']) expect(() => read(bad)).toThrow(UserError);
  });
});

describe('default timeouts', () => {
  it('bound every attempt: a few seconds to connect, well under a minute to answer', () => {
    expect(DEFAULT_CONNECTION_TIMEOUT_MS).toBeLessThanOrEqual(10_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeGreaterThanOrEqual(10_000);
    expect(DEFAULT_REQUEST_TIMEOUT_MS).toBeLessThanOrEqual(60_000);
  });
});

describe('explainAwsError on timeouts', () => {
  // A connection that is never accepted can't be produced on 127.0.0.1 (the kernel accepts at once),
  // so this is the error NodeHttpHandler throws then, as its source builds it.
  const connectTimeout = Object.assign(
    new Error(
      '@smithy/node-http-handler - the request socket did not establish a connection with the server within the configured timeout of 5000 ms.',
    ),
    { name: 'TimeoutError', $metadata: { attempts: 5 } },
  );

  it('says nothing changed when no connection was made', () => {
    const error = explainAwsError(connectTimeout, 'create the ECS service whoami-v2', 'ecs:CreateService', {
      check: 'aws ecs describe-services',
    }) as UserError;

    expect(error).toBeInstanceOf(UserError);
    expect(error.code).toBe('AWS_TIMEOUT');
    expect(error.message).toBe(
      "Can't create the ECS service whoami-v2: no connection to AWS could be made within 5s (5 attempts). Nothing was sent, so nothing changed.",
    );
    expect(error.suggestions.at(-1)).toBe(
      'On a slow network, allow longer to connect: TRAEFIKCTL_AWS_CONNECT_TIMEOUT=15s.',
    );
  });

  it('leaves an answer from AWS that mentions a timeout to the caller', () => {
    const answered = Object.assign(new Error('The timeout must be between 2 and 60 seconds.'), {
      name: 'InvalidParameterException',
      $metadata: { httpStatusCode: 400 },
    });

    expect(explainAwsError(answered, 'update the ECS service whoami-v2')).toBe(answered);
  });

  it('explains a connection dropped before the answer like a timeout', () => {
    const reset = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });

    const error = explainAwsError(reset, 'tag arn:x', 'ecs:TagResource', { check: 'aws ecs list-tags' });

    expect((error as UserError).message).toBe(
      "Can't tag arn:x: the connection to AWS was dropped before it answered.",
    );
    expect((error as UserError).suggestions[0]).toContain('may or may not have carried it out');
  });
});
