import { withPhase } from '../../events.js';
import { resolveNetwork, vpcCidrs, type ClusterNetwork } from '../network.js';
import { parameterList } from '../template.js';
import { PHASES, type UpRun } from './context.js';
import { parameterOf } from './stack.js';

/** The network a run uses: newly resolved, or the stack's own. */
export interface NetworkChoice {
  vpcId: string;
  subnets: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
  vpcCidrs: string[];
}

/**
 * The network step: the flags' or the configuration's VPC and subnets (else the default VPC), or, when
 * the stack exists and none is given, the stack's own.
 */
export function chooseNetwork(run: UpRun): Promise<NetworkChoice> {
  const { options, existing } = run;
  const ctx = options.context;
  const vpc = options.vpc ?? ctx.environment.vpc;
  const subnets = options.subnets ?? ctx.environment.subnets;
  return withPhase(run.emit, PHASES.network, async (setDetail): Promise<NetworkChoice> => {
    if (existing !== undefined && vpc === undefined && subnets === undefined) {
      // Keep the stack's network: a later `up` without --subnets must not move the cluster. The
      // values are sent again rather than as UsePreviousValue, which moto can't apply to lists.
      const vpcId = parameterOf(existing, 'VpcId') ?? '';
      const kept = parameterList(parameterOf(existing, 'Subnets'));
      const assign = parameterOf(existing, 'AssignPublicIp');
      const cidrs = await vpcCidrs(run.ec2, vpcId);
      setDetail(`${vpcId}, ${kept.length} subnets (unchanged)`);
      return {
        vpcId,
        subnets: kept,
        assignPublicIp: assign === 'ENABLED' || assign === 'DISABLED' ? assign : undefined,
        vpcCidrs: cidrs,
      };
    }
    const resolved = await resolveNetwork(run.ec2, { vpc, subnets, region: run.region });
    setDetail(describeNetwork(resolved));
    return resolved;
  });
}

function describeNetwork(network: ClusterNetwork): string {
  const source = { given: '', vpc: '', 'default-vpc': ' (default VPC)' }[network.source];
  return `${network.vpcId}${source}, ${network.subnets.length} subnets in ${network.availabilityZones.length} availability zones`;
}
