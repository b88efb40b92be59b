import { CreateSubnetCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { afterAll, expect, it } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { resolveNetwork } from '../../../src/lib/cluster/network.js';
import { UserError } from '../../../src/lib/errors.js';
import { describeWith } from '../../support/stack.js';

const clients = new AwsClients({ maxAttempts: 1 });
afterAll(() => clients.destroy());

/** A VPC of our own (moto's default VPC is shared by every test: read it, never change it). */
async function privateVpc(zones: readonly string[]): Promise<{ vpcId: string; subnets: string[] }> {
  const ec2 = await clients.ec2();
  const second = Math.floor(Math.random() * 250);
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${second}.0.0/16` }));
  const vpcId = vpc.Vpc?.VpcId ?? '';
  const subnets: string[] = [];
  for (const [index, zone] of zones.entries()) {
    const subnet = await ec2.send(
      new CreateSubnetCommand({
        VpcId: vpcId,
        CidrBlock: `10.${second}.${index}.0/24`,
        AvailabilityZone: zone,
      }),
    );
    subnets.push(subnet.Subnet?.SubnetId ?? '');
  }
  return { vpcId, subnets };
}

async function usageFailure(promise: Promise<unknown>): Promise<UserError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof UserError)) throw new Error(`expected a UserError, got ${String(error)}`);
  expect(error.exitCode).toBe(2);
  return error;
}

describeWith(['moto'], 'choosing the network of a cluster', () => {
  it('uses the default VPC: one default subnet per zone, public, its CIDR trusted', async () => {
    const network = await resolveNetwork(await clients.ec2(), { region: 'us-east-1' });
    expect(network.source).toBe('default-vpc');
    expect(network.vpcCidrs).toEqual(['172.31.0.0/16']);
    expect(network.availabilityZones.length).toBe(network.subnets.length);
    expect(network.availabilityZones.length).toBeGreaterThanOrEqual(2);
    expect(network.assignPublicIp).toBe('ENABLED');
  });

  it('takes the subnets of a VPC given, and no public IPs when its subnets give none', async () => {
    const { vpcId, subnets } = await privateVpc(['us-east-1a', 'us-east-1b']);
    const network = await resolveNetwork(await clients.ec2(), { vpc: vpcId, region: 'us-east-1' });
    expect(network).toMatchObject({ vpcId, source: 'vpc', assignPublicIp: 'DISABLED' });
    expect([...network.subnets].sort()).toEqual([...subnets].sort());
  });

  it('refuses subnets in a single availability zone: a load balancer needs two', async () => {
    const { subnets } = await privateVpc(['us-east-1c', 'us-east-1c']);
    const error = await usageFailure(resolveNetwork(await clients.ec2(), { subnets, region: 'us-east-1' }));
    expect(error.message).toBe(
      `A load balancer needs subnets in at least two availability zones; ${subnets.join(', ')} cover only us-east-1c.`,
    );
  });

  it('refuses subnets from different VPCs, or from another VPC than --vpc', async () => {
    const first = await privateVpc(['us-east-1a']);
    const second = await privateVpc(['us-east-1b']);
    const mixed = await usageFailure(
      resolveNetwork(await clients.ec2(), {
        subnets: [first.subnets[0] ?? '', second.subnets[0] ?? ''],
        region: 'us-east-1',
      }),
    );
    expect(mixed.message).toContain('belong to different VPCs');
    const elsewhere = await usageFailure(
      resolveNetwork(await clients.ec2(), { vpc: second.vpcId, subnets: first.subnets, region: 'us-east-1' }),
    );
    expect(elsewhere.message).toBe(
      `The subnets ${first.subnets.join(', ')} are in ${first.vpcId}, not in ${second.vpcId}.`,
    );
  });
});
