import type { TaskDefinition } from '@aws-sdk/client-ecs';
import { describe, expect, it } from 'vitest';

import { diffService, diffTags, diffTaskDefinition } from '../../../../../src/lib/app/deploy/ecs/diff.js';
import {
  buildDeploymentPlan,
  type DeploymentPlanOptions,
} from '../../../../../src/lib/app/deploy/ecs/plan.js';
import { appSchema } from '../../../../../src/lib/config/schema.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;

function plan(overrides: Partial<DeploymentPlanOptions> = {}) {
  return buildDeploymentPlan({
    context: {
      env: 'dev',
      region: 'eu-west-1',
      domain: 'example.com',
      hostTemplate: '{app}-{tag}.{env}.{domain}',
      entryPoints: ['web'],
    },
    app: 'whoami',
    appConfig: appSchema.parse({}),
    tag: 'v2',
    image: { repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami', digest: DIGEST },
    cluster: {
      cluster: 'traefikctl-dev',
      subnets: ['subnet-0aaa'],
      securityGroups: ['sg-0app'],
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      logGroup: '/traefikctl/dev',
    },
    deployedBy: 'arn:aws:sts::123456789012:assumed-role/ci/x',
    now: new Date('2026-03-01T12:00:00.000Z'),
    ...overrides,
  });
}

/** What DescribeTaskDefinition answers for a registered plan: our input plus what ECS adds itself. */
function registered(input: ReturnType<typeof plan>['taskDefinition']): TaskDefinition {
  const { tags: _tags, ...rest } = input;
  return {
    ...rest,
    taskDefinitionArn: 'arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:3',
    revision: 3,
    status: 'ACTIVE',
    compatibilities: ['EC2', 'FARGATE'],
    requiresAttributes: [{ name: 'com.amazonaws.ecs.capability.docker-remote-api.1.18' }],
    registeredAt: new Date('2026-02-01T00:00:00Z'),
    containerDefinitions: (rest.containerDefinitions ?? []).map((container) => ({
      ...container,
      cpu: 0,
      mountPoints: [],
      volumesFrom: [],
      systemControls: [],
    })),
  };
}

describe('diffTaskDefinition', () => {
  it('finds no change between a plan and its own registration, whatever ECS added', () => {
    const planned = plan();
    expect(diffTaskDefinition(registered(planned.taskDefinition), planned.taskDefinition)).toEqual([]);
  });

  it('names the image, environment and label changes of a new build with a new config', () => {
    const before = plan();
    const after = plan({
      image: {
        repository: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami',
        digest: `sha256:${'cd'.repeat(32)}`,
      },
      appConfig: appSchema.parse({ environment: { GREETING: 'hi' }, port: 8080 }),
    });

    const changes = diffTaskDefinition(registered(before.taskDefinition), after.taskDefinition);

    expect(changes).toContainEqual({
      field: 'container whoami image',
      kind: 'changed',
      before: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami@${DIGEST}`,
      after: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami@sha256:${'cd'.repeat(32)}`,
    });
    expect(changes).toContainEqual({ field: 'container whoami env GREETING', kind: 'added', after: 'hi' });
    expect(changes).toContainEqual({
      field: 'container whoami ports',
      kind: 'changed',
      before: '80:80/tcp',
      after: '8080:8080/tcp',
    });
    expect(changes).toContainEqual({
      field: 'container whoami label traefik.http.services.whoami-v2.loadbalancer.server.port',
      kind: 'changed',
      before: '80',
      after: '8080',
    });
  });

  it("puts the app's stopTimeout on the container in whole seconds, and a new one is a change", () => {
    const before = plan();
    const after = plan({ appConfig: appSchema.parse({ stopTimeout: '1m' }) });

    expect(before.taskDefinition.containerDefinitions?.[0]).not.toHaveProperty('stopTimeout');
    expect(after.taskDefinition.containerDefinitions?.[0]?.stopTimeout).toBe(60);
    expect(diffTaskDefinition(registered(before.taskDefinition), after.taskDefinition)).toEqual([
      { field: 'container whoami stop timeout', kind: 'added', after: '60s' },
    ]);
    expect(diffTaskDefinition(registered(after.taskDefinition), after.taskDefinition)).toEqual([]);
  });

  it('reports a label that the new plan no longer sets as removed', () => {
    const withHealthCheck = plan({ appConfig: appSchema.parse({ healthCheck: { path: '/health' } }) });
    const without = plan();

    const changes = diffTaskDefinition(registered(withHealthCheck.taskDefinition), without.taskDefinition);

    expect(changes.filter((change) => change.kind === 'removed').map((change) => change.field)).toEqual([
      'container whoami label traefik.http.services.whoami-v2.loadbalancer.healthcheck.path',
      'container whoami label traefik.http.services.whoami-v2.loadbalancer.healthcheck.interval',
      'container whoami label traefik.http.services.whoami-v2.loadbalancer.healthcheck.timeout',
    ]);
  });
});

describe('diffService and diffTags', () => {
  it('shows a new task count and new subnets', () => {
    const planned = plan({ appConfig: appSchema.parse({ desiredCount: 2 }) });
    const changes = diffService(
      {
        desiredCount: 1,
        networkConfiguration: {
          awsvpcConfiguration: { subnets: ['subnet-0old'], securityGroups: ['sg-0app'] },
        },
      },
      planned.service,
    );
    expect(changes).toEqual([
      { field: 'service desired count', kind: 'changed', before: '1', after: '2' },
      { field: 'service subnets', kind: 'changed', before: 'subnet-0old', after: 'subnet-0aaa' },
    ]);
  });

  it('shows a new failure threshold where ECS reports one, and nothing where it does not (moto)', () => {
    const planned = plan({ appConfig: appSchema.parse({ failureThreshold: 1 }) });
    const network = planned.service.networkConfiguration;
    const breaker = (value: number) => ({
      deploymentCircuitBreaker: {
        enable: true,
        rollback: true,
        thresholdConfiguration: { type: 'COUNT' as const, value },
      },
    });
    expect(
      diffService(
        { desiredCount: 1, networkConfiguration: network, deploymentConfiguration: breaker(2) },
        planned.service,
      ),
    ).toEqual([
      { field: 'service failure threshold', kind: 'changed', before: '2 (COUNT)', after: '1 (COUNT)' },
    ]);
    expect(
      diffService(
        { desiredCount: 1, networkConfiguration: network, deploymentConfiguration: breaker(1) },
        planned.service,
      ),
    ).toEqual([]);
    expect(
      diffService(
        {
          desiredCount: 1,
          networkConfiguration: network,
          deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
        },
        planned.service,
      ),
    ).toEqual([]);
  });

  it('compares decoded traefikctl tags only, and shows an expiry that goes away', () => {
    const planned = plan();
    const deployed = [
      ...planned.tags.map((tag) =>
        tag.key === 'traefikctl:deployed-at' ? { ...tag, value: '2026-01-01T00:00:00.000Z' } : tag,
      ),
      { key: 'traefikctl:expires-at', value: '2026-01-08T00:00:00.000Z' },
      { key: 'team', value: 'web' },
    ];

    expect(diffTags(deployed, planned.tags)).toEqual([
      {
        field: 'tag traefikctl:deployed-at',
        kind: 'changed',
        before: '2026-01-01T00:00:00.000Z',
        after: '2026-03-01T12:00:00.000Z',
      },
      { field: 'tag traefikctl:expires-at', kind: 'removed', before: '2026-01-08T00:00:00.000Z' },
    ]);
  });
});
