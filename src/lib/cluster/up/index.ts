import { untilAborted } from '../../aws/abort.js';
import { requireDomain } from '../../config/resolve.js';
import { silentSink, skipPhase } from '../../events.js';
import { describeClusterStack, parseClusterOutputs, stackNameFor } from '../outputs.js';
import { loadClusterTemplate, stackParameters } from '../template.js';
import { compareWithStack } from './compare.js';
import {
  PHASES,
  REPLACEABLE,
  type ClusterUpOptions,
  type ClusterUpResult,
  type UpProgress,
  type UpRun,
} from './context.js';
import { createClusterStack } from './create.js';
import { planChanges } from './dry-run.js';
import { interruptedError } from './interrupt.js';
import { chooseNetwork } from './network.js';
import { desiredParameters, ensurePassword, singleEntryPoint } from './parameters.js';
import { assertUpdatable, outputsOf, withDefaults } from './stack.js';
import { updateClusterStack } from './update.js';

export type { ClusterUpOptions, ClusterUpResult } from './context.js';
export { hostPattern } from './parameters.js';

/**
 * `cluster up`: creates the stack `traefikctl-<env>`, or updates it when the template or a parameter
 * traefikctl decides differs from what it has. Emits one phase per step and one `progress` event per
 * stack event; fails with the resource that failed and its reason. Ctrl-C (`signal`) stops it at once,
 * saying what may be left. Steps: network, password, compare, then plan (--dry-run), create or update.
 */
export async function clusterUp(options: ClusterUpOptions): Promise<ClusterUpResult> {
  const progress: UpProgress = {};
  try {
    return await untilAborted(bringUp(options, progress), options.signal);
  } catch (error) {
    if (options.signal?.aborted)
      throw interruptedError(progress, options.context.env, stackNameFor(options.context.env));
    throw error;
  }
}

async function bringUp(options: ClusterUpOptions, progress: UpProgress): Promise<ClusterUpResult> {
  const { clients, context: ctx } = options;
  // Bad input fails before any AWS call.
  const domain = requireDomain(ctx);
  const entryPoint = singleEntryPoint(ctx);
  const env = ctx.env;
  const stackName = stackNameFor(env);
  const [cloudformation, ec2, ssm] = await Promise.all([
    clients.cloudformation(),
    clients.ec2(),
    clients.ssm(),
  ]);
  const region = await cloudformation.config.region();
  const found = await describeClusterStack(clients, env);
  assertUpdatable(found, stackName, env);
  const replace = found !== undefined && REPLACEABLE.has(found.StackStatus ?? '');
  const existing = replace ? undefined : found;
  progress.existed = existing !== undefined;
  const emit = options.onEvent ?? silentSink;
  const run: UpRun = {
    options,
    env,
    stackName,
    emit,
    progress,
    cloudformation,
    ec2,
    ssm,
    region,
    found,
    existing,
    replace,
  };

  const network = await chooseNetwork(run);
  const { parameter, password } = await ensurePassword(run);
  const desired = await desiredParameters(run, { domain, entryPoint, network, parameter, password });
  const templateBody = await loadClusterTemplate();
  const base = {
    env,
    stackName,
    existed: existing !== undefined,
    passwordParameter: parameter,
    passwordCreated: password.created,
  };
  const comparison = await compareWithStack(run, desired, templateBody);
  if (existing !== undefined && comparison.changed.length === 0 && !comparison.templateChanged) {
    skipPhase(emit, PHASES.stack, 'no changes');
    const outputs = parseClusterOutputs(existing, env);
    return { ...base, action: 'unchanged', changedParameters: [], templateChanged: false, outputs };
  }

  const parameters = stackParameters(
    desired,
    existing?.Parameters,
    existing === undefined ? await withDefaults(cloudformation, templateBody, stackName) : {},
  );
  const summary = { changedParameters: comparison.changed, templateChanged: comparison.templateChanged };
  const request = { templateBody, parameters, tags: [{ Key: 'traefikctl:env', Value: env }] };
  if (options.dryRun) {
    return { ...base, ...summary, action: 'planned', changes: await planChanges(run, request) };
  }
  if (existing === undefined) {
    const stack = await createClusterStack(run, request);
    return { ...base, ...summary, action: 'created', ...outputsOf(stack, env) };
  }
  const updated = await updateClusterStack(run, existing, request);
  return {
    ...base,
    ...summary,
    action: updated.action,
    changes: updated.changes,
    ...outputsOf(updated.stack, env),
  };
}
