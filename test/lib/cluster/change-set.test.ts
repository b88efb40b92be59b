import { describe, expect, it } from 'vitest';

import { destructiveChanges, type PlannedChange } from '../../../src/lib/cluster/change-set.js';

describe('destructiveChanges', () => {
  const change = (
    action: string,
    logicalId: string,
    resourceType: string,
    replacement?: string,
  ): PlannedChange => ({
    action,
    logicalId,
    resourceType,
    ...(replacement === undefined ? {} : { replacement }),
  });

  it('asks for removed and replaced resources: a new cluster orphans deployments, a new load balancer changes its DNS name', () => {
    const changes = [
      change('Modify', 'Cluster', 'AWS::ECS::Cluster', 'True'),
      change('Modify', 'LoadBalancer', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Conditional'),
      change('Remove', 'WildcardRecord', 'AWS::Route53::RecordSet'),
      change('Modify', 'TraefikService', 'AWS::ECS::Service', 'False'),
      change('Add', 'HttpRedirectListener', 'AWS::ElasticLoadBalancingV2::Listener'),
    ];
    expect(destructiveChanges(changes).map((c) => c.logicalId)).toEqual(['Cluster', 'WildcardRecord']);
  });

  it('does not ask for a new task definition revision: that is how Traefik is updated', () => {
    expect(
      destructiveChanges([change('Modify', 'TraefikTaskDefinition', 'AWS::ECS::TaskDefinition', 'True')]),
    ).toEqual([]);
  });
});
