import type { Stack } from '@aws-sdk/client-cloudformation';
import { describe, expect, it } from 'vitest';

import { OUTPUT_KEYS, parseClusterOutputs, stackNameFor } from '../../../src/lib/cluster/outputs.js';
import { UserError } from '../../../src/lib/errors.js';

function stack(status: string, outputs: Record<string, string>, reason?: string): Stack {
  return {
    StackName: 'traefikctl-dev',
    StackStatus: status,
    CreationTime: new Date(0),
    ...(reason === undefined ? {} : { StackStatusReason: reason }),
    Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
  } as Stack;
}

const complete = {
  Env: 'dev',
  ClusterName: 'traefikctl-dev',
  ClusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/traefikctl-dev',
  Subnets: 'subnet-aaa,subnet-bbb',
  AppSecurityGroup: 'sg-0app',
  ExecutionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  LogGroup: '/traefikctl/dev',
  ApiUrl: 'https://traefik.dev.example.com',
  ApiUsername: 'admin',
  PasswordParameter: '/traefikctl/dev/traefik-api-password',
  UrlPattern: '{app}-{tag}.dev.example.com',
  LoadBalancerDns: 'lb-1.us-east-1.elb.amazonaws.com',
  AssignPublicIp: 'ENABLED',
};

function errorOf(run: () => unknown): UserError {
  try {
    run();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('parseClusterOutputs', () => {
  it('names the stack after the environment', () => {
    expect(stackNameFor('staging')).toBe('traefikctl-staging');
  });

  it('reads every output app deploy needs from a completed stack', () => {
    // given a stack that cluster up created
    // when
    const outputs = parseClusterOutputs(stack('CREATE_COMPLETE', complete), 'dev');

    // then
    expect(outputs).toEqual({
      stackName: 'traefikctl-dev',
      env: 'dev',
      cluster: 'traefikctl-dev',
      clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/traefikctl-dev',
      subnets: ['subnet-aaa', 'subnet-bbb'],
      appSecurityGroup: 'sg-0app',
      executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
      logGroup: '/traefikctl/dev',
      apiUrl: 'https://traefik.dev.example.com',
      apiUsername: 'admin',
      passwordParameter: '/traefikctl/dev/traefik-api-password',
      urlPattern: '{app}-{tag}.dev.example.com',
      loadBalancerDns: 'lb-1.us-east-1.elb.amazonaws.com',
      assignPublicIp: 'ENABLED',
    });
  });

  it('leaves out optional outputs that are missing or empty (no domain: no API URL)', () => {
    // given a stack without a domain, whose ApiUrl output is empty
    const { ApiUrl: _api, UrlPattern: _pattern, ...rest } = complete;

    // when
    const outputs = parseClusterOutputs(stack('UPDATE_COMPLETE', { ...rest, ApiUrl: '' }), 'dev');

    // then
    expect(outputs).not.toHaveProperty('apiUrl');
    expect(outputs).not.toHaveProperty('urlPattern');
    expect(outputs.cluster).toBe('traefikctl-dev');
  });

  it('accepts a stack whose last update was rolled back: the cluster still works', () => {
    expect(parseClusterOutputs(stack('UPDATE_ROLLBACK_COMPLETE', complete), 'dev').cluster).toBe(
      'traefikctl-dev',
    );
  });

  it('tells the user to wait while the stack is changing', () => {
    const error = errorOf(() => parseClusterOutputs(stack('UPDATE_IN_PROGRESS', complete), 'dev'));
    expect(error.message).toBe(
      'The cluster for env dev is changing: stack traefikctl-dev is UPDATE_IN_PROGRESS.',
    );
    expect(error.suggestions.join(' ')).toContain('traefikctl cluster status --env dev');
    expect(error.exitCode).toBe(1);
  });

  it('explains a failed stack with its reason and the repair', () => {
    const error = errorOf(() =>
      parseClusterOutputs(stack('ROLLBACK_COMPLETE', complete, 'The following resource(s) failed'), 'dev'),
    );
    expect(error.message).toBe(
      "The cluster for env dev isn't usable: stack traefikctl-dev is ROLLBACK_COMPLETE (The following resource(s) failed).",
    );
    expect(error.suggestions.join(' ')).toContain('traefikctl cluster up --env dev');
  });

  it('names the outputs a foreign or older stack lacks', () => {
    const { AppSecurityGroup: _sg, LogGroup: _lg, ...rest } = complete;
    const error = errorOf(() => parseClusterOutputs(stack('CREATE_COMPLETE', rest), 'dev'));
    expect(error.message).toContain('lacks the outputs AppSecurityGroup, LogGroup');
    expect(error.code).toBe('CLUSTER_OUTPUTS_MISSING');
  });

  it('has an output key for every field but the stack name', () => {
    expect(Object.values(OUTPUT_KEYS)).toHaveLength(13);
    expect(new Set(Object.values(OUTPUT_KEYS)).size).toBe(13);
  });
});
