import type { Service } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { chunks, limiter } from '../../../src/lib/async.js';
import {
  deploymentFromService,
  notDeployedError,
  type EcsDeploymentRecord,
} from '../../../src/lib/ecs/services.js';
import { deploymentTags } from '../../../src/lib/ecs/tag-codec.js';

const tags = deploymentTags({
  env: 'dev',
  app: 'whoami',
  tag: 'feature/Login #7',
  host: 'whoami-feature-login-7.dev.example.com',
  image: 'repo/whoami@sha256:abc',
  deployedAt: '2026-08-01T10:00:00.000Z',
  deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/run#42',
});

// The shape DescribeServices returns (include: ['TAGS']), trimmed to what matters here.
const service: Service = {
  serviceName: 'whoami-feature-login-7',
  serviceArn: 'arn:aws:ecs:us-east-1:123456789012:service/traefikctl-dev/whoami-feature-login-7',
  status: 'ACTIVE',
  desiredCount: 2,
  runningCount: 1,
  pendingCount: 1,
  taskDefinition: 'arn:aws:ecs:us-east-1:123456789012:task-definition/whoami-feature-login-7:3',
  deployments: [
    { id: 'ecs-svc/2', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', rolloutStateReason: 'started' },
    { id: 'ecs-svc/1', status: 'ACTIVE', rolloutState: 'COMPLETED' },
  ],
  tags,
};

describe('deploymentFromService', () => {
  it('decodes the tags (the original tag included) and takes counts from the service, rollout from PRIMARY', () => {
    expect(deploymentFromService(service, 'traefikctl-dev')).toEqual({
      app: 'whoami',
      tag: 'feature/Login #7',
      env: 'dev',
      host: 'whoami-feature-login-7.dev.example.com',
      service: 'whoami-feature-login-7',
      deployedAt: '2026-08-01T10:00:00.000Z',
      deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/run#42',
      expiresAt: undefined,
      image: 'repo/whoami@sha256:abc',
      status: 'ACTIVE',
      serviceArn: service.serviceArn,
      cluster: 'traefikctl-dev',
      taskDefinition: service.taskDefinition,
      desiredCount: 2,
      runningCount: 1,
      pendingCount: 1,
      rolloutState: 'IN_PROGRESS',
      rolloutStateReason: 'started',
    });
  });

  it('ignores services traefikctl does not manage', () => {
    expect(
      deploymentFromService({ ...service, tags: [{ key: 'team', value: 'data' }] }, 'c'),
    ).toBeUndefined();
    expect(deploymentFromService({ ...service, tags: undefined }, 'c')).toBeUndefined();
    const notManaged = tags.map((tag) =>
      tag.key === 'traefikctl:managed' ? { ...tag, value: 'false' } : tag,
    );
    expect(deploymentFromService({ ...service, tags: notManaged }, 'c')).toBeUndefined();
  });
});

describe('chunks and limiter', () => {
  it('splits 25 names into DescribeServices batches of 10, 10 and 5', () => {
    const names = Array.from({ length: 25 }, (_, i) => `s${i}`);
    expect(chunks(names, 10).map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(chunks([], 10)).toEqual([]);
  });

  it('never runs more than the limit at once, and runs everything', async () => {
    const limit = limiter(3);
    let active = 0;
    let peak = 0;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        limit(async () => {
          active += 1;
          peak = Math.max(peak, active);
          await new Promise((resolve) => setTimeout(resolve, 5));
          active -= 1;
          return i;
        }),
      ),
    );
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('keeps going after a task fails', async () => {
    const limit = limiter(1);
    const failed = limit(() => Promise.reject(new Error('boom')));
    const next = limit(() => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ok');
  });
});

describe('notDeployedError', () => {
  const deployed = (app: string, tag: string) => ({ app, tag }) as EcsDeploymentRecord;

  it('names the deployed apps and the closest one for an unknown app (exit 2)', () => {
    const error = notDeployedError({ env: 'dev', app: 'whoamii' }, [
      deployed('whoami', 'v1'),
      deployed('api', 'v1'),
    ]);
    expect(error.message).toBe('The app whoamii has no deployment in env dev (deployed apps: api, whoami).');
    expect(error.suggestions).toEqual([
      'Did you mean whoami?',
      'See what is deployed with `traefikctl app urls --env dev`, or pick another env with --env.',
    ]);
    expect(error.exitCode).toBe(2);
  });

  it('says how to deploy when the env has nothing', () => {
    const error = notDeployedError({ env: 'dev', app: 'whoami' }, []);
    expect(error.message).toBe('The app whoami has no deployment in env dev.');
    expect(error.suggestions).toEqual([
      'Deploy it with `traefikctl app deploy whoami --tag <tag> --env dev`, or pick another env with --env.',
    ]);
  });

  it('names the tags of the app for an unknown tag', () => {
    const error = notDeployedError({ env: 'dev', app: 'whoami', tag: 'v3' }, [
      deployed('whoami', 'v2'),
      deployed('whoami', 'main'),
    ]);
    expect(error.message).toBe('The app whoami has no deployment tagged v3 in env dev (tags: v2, main).');
    expect(error.suggestions[0]).toBe('Did you mean --tag v2?');
    expect(error.code).toBe('TAG_NOT_DEPLOYED');
  });
});
