import { describe, expect, it } from 'vitest';

import type { ClusterOutputs } from '../../src/lib/cluster/outputs.js';
import type { ClusterStatus } from '../../src/lib/cluster/status.js';
import type { ClusterUpResult } from '../../src/lib/cluster/up/index.js';
import { describeDown, formatDownResult, formatStatus, formatUpResult } from '../../src/ui/cluster-output.js';
import type { Presentation } from '../../src/ui/mode.js';

const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

const outputs: ClusterOutputs = {
  stackName: 'traefikctl-dev',
  env: 'dev',
  cluster: 'traefikctl-dev',
  subnets: ['subnet-a', 'subnet-b'],
  appSecurityGroup: 'sg-app',
  executionRoleArn: 'arn:aws:iam::123456789012:role/exec',
  logGroup: '/traefikctl/dev',
  apiUrl: 'https://traefik.dev.example.com',
  apiUsername: 'admin',
  passwordParameter: '/traefikctl/dev/traefik-api-password',
  urlPattern: 'https://{app}-{tag}.dev.example.com',
  loadBalancerDns: 'lb-1.eu-west-1.elb.amazonaws.com',
};

const created: ClusterUpResult = {
  env: 'dev',
  stackName: 'traefikctl-dev',
  action: 'created',
  existed: false,
  changedParameters: [],
  templateChanged: true,
  passwordParameter: '/traefikctl/dev/traefik-api-password',
  passwordCreated: true,
  outputs,
};

const status: ClusterStatus = {
  env: 'dev',
  stackName: 'traefikctl-dev',
  stackStatus: 'UPDATE_COMPLETE',
  stackStatusReason: undefined,
  lastUpdated: '2026-11-28T10:00:00.000Z',
  outputs,
  outputsError: undefined,
  parameters: { TraefikImage: 'traefik:v3.7', TraefikDesiredCount: '2' },
  traefik: {
    name: 'traefik',
    status: 'ACTIVE',
    desired: 2,
    running: 2,
    pending: 0,
    rolloutState: 'COMPLETED',
  },
  api: {
    url: outputs.apiUrl,
    checked: true,
    healthy: true,
    version: '3.7.9',
    codename: 'x',
    error: undefined,
  },
  deployments: { live: 3 },
};

describe('cluster output', () => {
  it('prints what a new cluster offers, on a terminal', () => {
    expect(formatUpResult(created, terminal)).toBe(
      [
        'Created the cluster traefikctl-dev.',
        'ECS cluster    traefikctl-dev',
        'URLs           https://{app}-{tag}.dev.example.com',
        'Traefik API    https://traefik.dev.example.com',
        'API login      admin, password in SSM /traefikctl/dev/traefik-api-password',
        'Load balancer  lb-1.eu-west-1.elb.amazonaws.com',
        '',
      ].join('\n'),
    );
  });

  it('prints key/value lines for scripts', () => {
    expect(formatUpResult({ ...created, action: 'unchanged', existed: true }, pipe)).toBe(
      [
        'action\tunchanged',
        'stack\ttraefikctl-dev',
        'cluster\ttraefikctl-dev',
        'url_pattern\thttps://{app}-{tag}.dev.example.com',
        'api_url\thttps://traefik.dev.example.com',
        'password_parameter\t/traefikctl/dev/traefik-api-password',
        'load_balancer\tlb-1.eu-west-1.elb.amazonaws.com',
        '',
      ].join('\n'),
    );
  });

  it('says what an update changed, naming a new password without showing it', () => {
    const updated = formatUpResult(
      {
        ...created,
        action: 'updated',
        existed: true,
        templateChanged: false,
        changedParameters: ['TraefikImage', 'ApiPasswordHash'],
      },
      terminal,
    );
    expect(updated.split('\n')[0]).toBe('Updated the cluster traefikctl-dev (TraefikImage, API password).');
  });

  it('lists a dry run’s changes, marking replacements', () => {
    const plan: ClusterUpResult = {
      ...created,
      action: 'planned',
      existed: true,
      templateChanged: false,
      changedParameters: ['ClusterName'],
      changes: [
        { action: 'Modify', logicalId: 'Cluster', resourceType: 'AWS::ECS::Cluster', replacement: 'True' },
        {
          action: 'Modify',
          logicalId: 'TraefikService',
          resourceType: 'AWS::ECS::Service',
          replacement: 'False',
        },
      ],
    };
    expect(formatUpResult(plan, terminal)).toBe(
      [
        'Dry run: traefikctl-dev would be updated; nothing was changed.',
        'Parameters: ClusterName',
        '  Modify Cluster AWS::ECS::Cluster (replaced)',
        '  Modify TraefikService AWS::ECS::Service',
        '',
      ].join('\n'),
    );
    expect(formatUpResult(plan, pipe)).toBe(
      'action\tplanned\nparameter\tClusterName\nchange\tModify\tCluster\tAWS::ECS::Cluster\tTrue\nchange\tModify\tTraefikService\tAWS::ECS::Service\tFalse\n',
    );
  });

  it('shows the status on a terminal with relative times', () => {
    const text = formatStatus(status, terminal, new Date('2026-11-28T10:30:00Z'));
    expect(text).toBe(
      [
        'Stack          traefikctl-dev UPDATE_COMPLETE (updated 30 min ago)',
        'ECS cluster    traefikctl-dev',
        'Traefik        2/2 running · traefik:v3.7 · v3.7.9',
        'API            https://traefik.dev.example.com healthy',
        'API login      admin, password in SSM /traefikctl/dev/traefik-api-password',
        'URLs           https://{app}-{tag}.dev.example.com',
        'Load balancer  lb-1.eu-west-1.elb.amazonaws.com',
        'Deployments    3 live',
        'Subnets        subnet-a, subnet-b',
        '',
      ].join('\n'),
    );
  });

  it('shows a failing API with its reason, and ISO times for scripts', () => {
    const failing = {
      ...status,
      api: { ...status.api, healthy: false, version: undefined, error: 'Traefik refused the password.' },
    };
    const text = formatStatus(failing, pipe);
    expect(text).toContain('updated\t2026-11-28T10:00:00.000Z\n');
    expect(text).toContain('api_healthy\tfalse\n');
    expect(text).toContain('api_error\tTraefik refused the password.\n');
    expect(formatStatus(failing, terminal)).toContain(
      'API            https://traefik.dev.example.com not healthy: Traefik refused the password.',
    );
  });

  it('lists what down removes, and what it removed', () => {
    const plan = {
      env: 'dev',
      stackName: 'traefikctl-dev',
      stackId: 'arn:stack',
      stackStatus: 'CREATE_COMPLETE',
      cluster: 'traefikctl-dev',
      deployments: [
        {
          service: 'whoami-v2',
          serviceArn: 'arn:s',
          app: 'whoami',
          tag: 'v2',
          host: undefined,
          desiredCount: 1,
          runningCount: 1,
        },
      ],
      passwordParameter: '/traefikctl/dev/traefik-api-password',
    };
    expect(describeDown(plan, true, false)).toContain('  1 app deployment(s): whoami-v2\n');
    expect(describeDown(plan, false, false)).not.toContain('whoami-v2');
    expect(
      formatDownResult(
        {
          env: 'dev',
          stackName: 'traefikctl-dev',
          stackDeleted: true,
          passwordParameter: plan.passwordParameter,
          passwordDeleted: true,
          deploymentsRemoved: ['whoami-v2'],
        },
        terminal,
      ),
    ).toBe('Removed the cluster traefikctl-dev, 1 deployment and the API password.\n');
  });
});
