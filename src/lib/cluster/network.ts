import type { EC2Client, Subnet } from '@aws-sdk/client-ec2';

import { awsErrorName, explainAwsError } from '../aws/errors.js';
import { usageError } from '../errors.js';

/** Where the load balancer, Traefik and the apps live. */
export interface ClusterNetwork {
  vpcId: string;
  /** The VPC's IPv4 CIDR blocks: Traefik trusts forwarded headers from these only. */
  vpcCidrs: string[];
  subnets: string[];
  availabilityZones: string[];
  /** ENABLED when every subnet gives instances public IPs (no NAT: tasks need one to pull images). */
  assignPublicIp: 'ENABLED' | 'DISABLED';
  /** How the subnets were chosen, for the progress line. */
  source: 'given' | 'vpc' | 'default-vpc';
}

export interface NetworkRequest {
  vpc?: string | undefined;
  subnets?: readonly string[] | undefined;
  region: string;
}

/**
 * The network for a new cluster: the subnets given (checked: they exist, share one VPC, span two
 * availability zones as a load balancer needs), or one subnet per availability zone of the VPC
 * given, or the default VPC's default subnets.
 */
export async function resolveNetwork(ec2: EC2Client, request: NetworkRequest): Promise<ClusterNetwork> {
  const { vpc, region } = request;
  const given = request.subnets ?? [];
  if (given.length > 0) {
    const subnets = await describeSubnets(ec2, { SubnetIds: [...given] }, region, given);
    const vpcs = [...new Set(subnets.map((s) => s.VpcId ?? ''))];
    if (vpcs.length > 1) {
      throw usageError(`The subnets ${given.join(', ')} belong to different VPCs (${vpcs.join(', ')}).`, [
        'Pass --subnets from one VPC.',
      ]);
    }
    const vpcId = vpcs[0] ?? '';
    if (vpc !== undefined && vpc !== vpcId) {
      throw usageError(`The subnets ${given.join(', ')} are in ${vpcId}, not in ${vpc}.`, [
        `Pass subnets of ${vpc}, or leave out --vpc.`,
      ]);
    }
    return network(ec2, vpcId, orderByZone(subnets), 'given', region);
  }

  if (vpc !== undefined) {
    const subnets = await describeSubnets(ec2, { Filters: [{ Name: 'vpc-id', Values: [vpc] }] }, region);
    if (subnets.length === 0) {
      throw usageError(`The VPC ${vpc} has no subnets in ${region}, or doesn't exist there.`, [
        'Check the VPC id and the region (--region), or pass --subnets.',
      ]);
    }
    // Public subnets first: the load balancer is internet-facing.
    const preferred = subnets.filter((s) => s.MapPublicIpOnLaunch === true);
    return network(ec2, vpc, onePerZone(preferred.length > 0 ? preferred : subnets), 'vpc', region);
  }

  const { DescribeVpcsCommand } = await import('@aws-sdk/client-ec2');
  let defaultVpc: string | undefined;
  try {
    const answer = await ec2.send(
      new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }),
    );
    defaultVpc = answer.Vpcs?.[0]?.VpcId;
  } catch (error) {
    throw explainAwsError(error, 'find the default VPC', 'ec2:DescribeVpcs');
  }
  if (defaultVpc === undefined) {
    throw usageError(`There is no default VPC in ${region} to put the cluster in.`, [
      'Pass --vpc vpc-... and --subnets subnet-a,subnet-b (public subnets in two availability zones),',
      'or set environments.<env>.vpc and .subnets in the configuration.',
    ]);
  }
  const subnets = await describeSubnets(
    ec2,
    {
      Filters: [
        { Name: 'vpc-id', Values: [defaultVpc] },
        { Name: 'default-for-az', Values: ['true'] },
      ],
    },
    region,
  );
  return network(ec2, defaultVpc, onePerZone(subnets), 'default-vpc', region);
}

/** The IPv4 CIDR blocks associated with a VPC (its primary one first). */
export async function vpcCidrs(ec2: EC2Client, vpcId: string): Promise<string[]> {
  const { DescribeVpcsCommand } = await import('@aws-sdk/client-ec2');
  try {
    const answer = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
    const described = answer.Vpcs?.[0];
    const cidrs = [
      described?.CidrBlock,
      ...(described?.CidrBlockAssociationSet ?? [])
        .filter((association) => association.CidrBlockState?.State === 'associated')
        .map((association) => association.CidrBlock),
    ].filter((cidr): cidr is string => cidr !== undefined);
    return [...new Set(cidrs)];
  } catch (error) {
    if (awsErrorName(error) === 'InvalidVpcID.NotFound') {
      throw usageError(`The VPC ${vpcId} doesn't exist in this region.`, ['Check --vpc and --region.']);
    }
    throw explainAwsError(error, `describe the VPC ${vpcId}`, 'ec2:DescribeVpcs');
  }
}

async function network(
  ec2: EC2Client,
  vpcId: string,
  subnets: Subnet[],
  source: ClusterNetwork['source'],
  region: string,
): Promise<ClusterNetwork> {
  const zones = [...new Set(subnets.map((s) => s.AvailabilityZone ?? ''))];
  if (zones.length < 2) {
    throw usageError(
      `A load balancer needs subnets in at least two availability zones; ${
        subnets.length === 0
          ? `${vpcId} has none in ${region}`
          : `${subnets.map((s) => s.SubnetId).join(', ')} cover only ${zones.join(', ')}`
      }.`,
      ['Pass --subnets with subnets in two or more availability zones.'],
    );
  }
  const cidrs = await vpcCidrs(ec2, vpcId);
  return {
    vpcId,
    vpcCidrs: cidrs,
    subnets: subnets.map((s) => s.SubnetId ?? ''),
    availabilityZones: zones,
    assignPublicIp: subnets.every((s) => s.MapPublicIpOnLaunch === true) ? 'ENABLED' : 'DISABLED',
    source,
  };
}

async function describeSubnets(
  ec2: EC2Client,
  input: { SubnetIds?: string[]; Filters?: { Name: string; Values: string[] }[] },
  region: string,
  given: readonly string[] = [],
): Promise<Subnet[]> {
  const { DescribeSubnetsCommand } = await import('@aws-sdk/client-ec2');
  const subnets: Subnet[] = [];
  let NextToken: string | undefined;
  try {
    do {
      const page = await ec2.send(new DescribeSubnetsCommand({ ...input, NextToken }));
      subnets.push(...(page.Subnets ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
  } catch (error) {
    if (awsErrorName(error) === 'InvalidSubnetID.NotFound') {
      throw usageError(`${(error as Error).message.replace(/\.$/, '')} in ${region}.`, [
        `Check --subnets (${given.join(', ')}) and the region (--region).`,
      ]);
    }
    throw explainAwsError(error, 'describe the subnets', 'ec2:DescribeSubnets');
  }
  return subnets;
}

function orderByZone(subnets: Subnet[]): Subnet[] {
  return [...subnets].sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? ''));
}

/** One subnet per availability zone (the lowest id), ordered by zone. */
function onePerZone(subnets: Subnet[]): Subnet[] {
  const byZone = new Map<string, Subnet>();
  for (const subnet of [...subnets].sort((a, b) => (a.SubnetId ?? '').localeCompare(b.SubnetId ?? ''))) {
    const zone = subnet.AvailabilityZone ?? '';
    if (!byZone.has(zone)) byZone.set(zone, subnet);
  }
  return orderByZone([...byZone.values()]);
}
