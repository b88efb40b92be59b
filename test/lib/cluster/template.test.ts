import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { parse, type ScalarTag, type CollectionTag } from 'yaml';

import { OUTPUT_KEYS } from '../../../src/lib/cluster/outputs.js';
import { generatePassword, hashApiPassword } from '../../../src/lib/cluster/password.js';
import {
  changedParameters,
  loadClusterTemplate,
  normalizeParameterValue,
  parameterList,
  PLATFORM_PARAMETERS,
  SECRET_PARAMETERS,
  stackParameters,
  TEMPLATE_FILE,
  type ClusterParameters,
} from '../../../src/lib/cluster/template.js';

const run = promisify(execFile);

/** CloudFormation's YAML short forms (`!Ref x`) as their long forms (`{ Ref: x }`). */
const INTRINSICS = [
  'Ref',
  'Sub',
  'GetAtt',
  'If',
  'Not',
  'Equals',
  'Join',
  'Split',
  'Select',
  'And',
  'Or',
  'Condition',
];
const customTags: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
  return [
    {
      tag: `!${name}`,
      resolve: (value: string) => ({ [key]: name === 'GetAtt' ? value.split('.') : value }),
    },
    {
      tag: `!${name}`,
      collection: 'seq',
      resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
    },
  ];
});

interface Template {
  Parameters: Record<string, { Type: string; Default?: unknown; NoEcho?: boolean; AllowedPattern?: string }>;
  Resources: Record<string, { Type: string; Properties: Record<string, unknown>; Condition?: string }>;
  Outputs: Record<string, { Value: unknown }>;
}

async function template(): Promise<Template> {
  return parse(await loadClusterTemplate(), { customTags }) as Template;
}

const desired: ClusterParameters = {
  Env: 'dev',
  ClusterName: 'traefikctl-dev',
  Domain: 'example.com',
  HostPattern: '{app}-{tag}.dev.example.com',
  VpcId: 'vpc-1',
  Subnets: ['subnet-a', 'subnet-b'],
  AssignPublicIp: 'ENABLED',
  CertificateArn: undefined,
  HostedZoneId: undefined,
  TraefikImage: 'traefik:v3.7',
  TraefikArguments: '--ping=true',
  EntryPoint: 'web',
  ApiUsername: 'admin',
  ApiPasswordHash: undefined,
  ApiPasswordVersion: '1',
  PasswordParameter: '/traefikctl/dev/traefik-api-password',
};

describe('assets/traefik/cluster.yaml', () => {
  it('passes cfn-lint without errors or warnings', async (context) => {
    // cfn-lint comes with moto (the test stack); CI has it, a bare laptop may not.
    const found = await run('cfn-lint', ['--version']).then(
      () => true,
      (error: NodeJS.ErrnoException) => error.code !== 'ENOENT',
    );
    if (!found) {
      if (process.env.CI) throw new Error('cfn-lint is not installed: the test stack (moto) brings it.');
      context.skip('cfn-lint is not installed (it comes with moto: scripts/test-stack.sh install)');
    }
    const result = await run('cfn-lint', ['--format', 'parseable', fileURLToPath(TEMPLATE_FILE)]).then(
      (ok) => ({ code: 0, output: ok.stdout }),
      (error: { code?: number; stdout?: string }) => ({ code: error.code ?? -1, output: error.stdout ?? '' }),
    );
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  }, 120_000);

  it('declares exactly the parameters traefikctl sets or leaves to platform teams', async () => {
    const { Parameters } = await template();
    expect(Object.keys(Parameters).sort()).toEqual([...Object.keys(desired), ...PLATFORM_PARAMETERS].sort());
  });

  it('never echoes the password hash, and accepts only bcrypt hashes for it', async () => {
    const { Parameters } = await template();
    for (const key of SECRET_PARAMETERS) expect(Parameters[key]?.NoEcho).toBe(true);
    const pattern = new RegExp(Parameters.ApiPasswordHash?.AllowedPattern ?? 'missing');
    expect(pattern.test('$2y$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW')).toBe(true);
    // the hash cluster up sends now, and those of the costs a platform team might choose instead
    expect(pattern.test(await hashApiPassword(generatePassword()))).toBe(true);
    for (const rounds of [10, 12]) expect(pattern.test(bcrypt.hashSync('x', rounds))).toBe(true);
    expect(pattern.test('{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=')).toBe(false);
    expect(pattern.test('s3cret')).toBe(false);
  });

  it('has an output for every field of ClusterOutputs', async () => {
    const { Outputs } = await template();
    for (const key of Object.values(OUTPUT_KEYS)) expect(Outputs).toHaveProperty(key);
  });

  it('runs Traefik from its command line, with the API behind basic auth on its own host', async () => {
    const { Resources } = await template();
    const definition = Resources.TraefikTaskDefinition?.Properties as {
      ContainerDefinitions: {
        Command: unknown;
        DockerLabels: Record<string, unknown>;
        HealthCheck: { Command: string[] };
      }[];
    };
    const container = definition.ContainerDefinitions[0];
    expect(container?.Command).toEqual({ 'Fn::Split': [' ', { Ref: 'TraefikArguments' }] });
    expect(container?.DockerLabels).toMatchObject({
      'traefik.enable': 'true',
      'traefikctl.env': { Ref: 'Env' },
      'traefik.http.routers.traefikctl-api.service': 'api@internal',
      'traefik.http.routers.traefikctl-api.middlewares': 'traefikctl-api-auth',
      'traefik.http.middlewares.traefikctl-api-auth.basicauth.users': {
        'Fn::Sub': '${ApiUsername}:${ApiPasswordHash}',
      },
      // /metrics on the API's host, through the same basic auth (issue 19)
      'traefik.http.routers.traefikctl-metrics.rule': {
        'Fn::Sub': 'Host(`traefik.${Env}.${Domain}`) && Path(`/metrics`)',
      },
      'traefik.http.routers.traefikctl-metrics.service': 'prometheus@internal',
      'traefik.http.routers.traefikctl-metrics.middlewares': 'traefikctl-api-auth',
    });
    // ECS replaces a Traefik task whose ping fails
    expect(container?.HealthCheck.Command).toEqual(['CMD', 'traefik', 'healthcheck', '--ping']);
  });

  it('gives Traefik only the read permissions the ECS provider uses on Fargate', async () => {
    const { Resources } = await template();
    const policies = (
      Resources.TraefikTaskRole?.Properties as {
        Policies: { PolicyDocument: { Statement: { Action: string }[] } }[];
      }
    ).Policies;
    const actions = policies.flatMap((p) => p.PolicyDocument.Statement.map((s) => s.Action)).sort();
    expect(actions).toEqual(['ecs:DescribeTaskDefinition', 'ecs:DescribeTasks', 'ecs:ListTasks']);
  });

  it('lets traffic in through the load balancer only: internet -> load balancer -> Traefik -> apps', async () => {
    const { Resources } = await template();
    const ingress = (name: string) =>
      (Resources[name]?.Properties as { SecurityGroupIngress: Record<string, unknown>[] })
        .SecurityGroupIngress;
    expect(ingress('TraefikSecurityGroup').map((r) => r.SourceSecurityGroupId)).toEqual([
      { Ref: 'LoadBalancerSecurityGroup' },
      { Ref: 'LoadBalancerSecurityGroup' },
    ]);
    expect(ingress('AppSecurityGroup').map((r) => r.SourceSecurityGroupId)).toEqual([
      { Ref: 'TraefikSecurityGroup' },
    ]);
    expect(ingress('LoadBalancerSecurityGroup').map((r) => r.CidrIp)).toEqual(['0.0.0.0/0']);
  });
});

describe('stack parameters', () => {
  it('sends every parameter, defaults included, when creating', () => {
    const parameters = stackParameters(desired, undefined, {
      CertificateArn: '',
      HostedZoneId: '',
      TraefikCpu: '256',
      TraefikMemory: '512',
      TraefikDesiredCount: '2',
      LogRetentionDays: '30',
    });
    expect(parameters).toContainEqual({ ParameterKey: 'Subnets', ParameterValue: 'subnet-a,subnet-b' });
    expect(parameters).toContainEqual({ ParameterKey: 'CertificateArn', ParameterValue: '' });
    expect(parameters).toContainEqual({ ParameterKey: 'TraefikDesiredCount', ParameterValue: '2' });
    expect(parameters.some((p) => p.UsePreviousValue)).toBe(false);
  });

  it("keeps the stack's values for what traefikctl doesn't decide when updating", () => {
    const existing = ['CertificateArn', 'HostedZoneId', 'ApiPasswordHash', 'TraefikDesiredCount'].map(
      (ParameterKey) => ({ ParameterKey, ParameterValue: 'x' }),
    );
    const parameters = stackParameters(desired, existing);
    expect(parameters).toContainEqual({ ParameterKey: 'ApiPasswordHash', UsePreviousValue: true });
    expect(parameters).toContainEqual({ ParameterKey: 'CertificateArn', UsePreviousValue: true });
    expect(parameters).toContainEqual({ ParameterKey: 'TraefikDesiredCount', UsePreviousValue: true });
    expect(parameters.find((p) => p.ParameterKey === 'TraefikCpu')).toBeUndefined();
  });

  it('finds changed parameters, reading list values as CloudFormation and moto write them', () => {
    const existing = Object.entries({
      ...desired,
      Subnets: "['subnet-b', 'subnet-a']",
      TraefikImage: 'traefik:v3.6',
      ApiPasswordHash: '****',
    }).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue: ParameterValue ?? '' }));
    expect(changedParameters(desired, existing)).toEqual(['TraefikImage']);
    expect(changedParameters({ ...desired, ApiPasswordHash: '$2y$05$x' }, existing)).toEqual([
      'TraefikImage',
      'ApiPasswordHash',
    ]);
  });

  it('parses list parameters in both spellings, keeping their order', () => {
    expect(parameterList("['subnet-b', 'subnet-a']")).toEqual(['subnet-b', 'subnet-a']);
    expect(parameterList('subnet-b,subnet-a')).toEqual(['subnet-b', 'subnet-a']);
    expect(normalizeParameterValue('Subnets', 'subnet-b,subnet-a')).toBe('subnet-a,subnet-b');
    expect(normalizeParameterValue('Domain', 'b,a')).toBe('b,a');
  });
});
