import type { CloudFormationClient, Parameter, Stack } from '@aws-sdk/client-cloudformation';

import { untilAborted } from '../aws/abort.js';
import type { AwsClients } from '../aws/clients.js';
import { requireDomain, type ResolvedContext } from '../config/resolve.js';
import { ExitCode, UserError, usageError } from '../errors.js';
import { silentSink, skipPhase, withPhase, type EventSink } from '../events.js';
import {
  computeChangeSet,
  destructiveChanges,
  discardChangeSet,
  executeChangeSet,
  wrap,
  type PlannedChange,
} from './change-set.js';
import { resolveNetwork, vpcCidrs, type ClusterNetwork } from './network.js';
import { describeClusterStack, parseClusterOutputs, stackNameFor, type ClusterOutputs } from './outputs.js';
import { defaultPasswordParameter, ensureApiPassword, hashApiPassword } from './password.js';
import { deleteStack, newestEventId, watchStack } from './stack-events.js';
import {
  changedParameters,
  loadClusterTemplate,
  parameterList,
  stackParameters,
  templateDefaults,
  type ClusterParameters,
} from './template.js';
import { renderTraefikArguments, traefikArgumentsParameter } from './traefik-command.js';

export interface ClusterUpOptions {
  clients: AwsClients;
  context: ResolvedContext;
  /** Flags; each overrides `environments.<env>.*` in the configuration. */
  vpc?: string | undefined;
  subnets?: readonly string[] | undefined;
  certificateArn?: string | undefined;
  hostedZoneId?: string | undefined;
  /** Show what would change (a change set) and change nothing. */
  dryRun?: boolean | undefined;
  /** Apply updates that replace or remove resources without asking. */
  yes?: boolean | undefined;
  /**
   * Asks the user before an update that replaces or removes resources; only given when a prompt is
   * possible. Without it, such an update needs `yes`.
   */
  confirm?: ((question: string) => Promise<boolean>) | undefined;
  onEvent?: EventSink | undefined;
  pollIntervalMs?: number | undefined;
  timeoutMs?: number | undefined;
  /**
   * Ctrl-C: stop at once (the clients should abort their calls on it too) and say what this run may
   * have left, and how to resume or remove it.
   */
  signal?: AbortSignal | undefined;
}

export interface ClusterUpResult {
  env: string;
  stackName: string;
  /** `planned` for --dry-run. */
  action: 'created' | 'updated' | 'unchanged' | 'planned';
  /** Whether the stack existed (and was usable) before this run. */
  existed: boolean;
  /** Names of the stack parameters that change (never their values). */
  changedParameters: string[];
  templateChanged: boolean;
  /** CloudFormation's resource changes, for dry runs and updates. */
  changes?: PlannedChange[];
  /** The SSM parameter holding the API password (its name). */
  passwordParameter: string;
  /** Whether this run generated the password (for a dry run: would generate it). */
  passwordCreated: boolean;
  outputs?: ClusterOutputs;
}

const PHASES = {
  network: { id: 'network', title: 'Network' },
  password: { id: 'password', title: 'Traefik API password' },
  plan: { id: 'plan', title: 'Compare with the stack' },
  cleanup: { id: 'cleanup', title: 'Remove the failed stack' },
  stack: { id: 'stack', title: 'Stack' },
} as const;

/** Stacks with nothing worth keeping: a failed first create, or an interrupted dry run. */
const REPLACEABLE = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/** What a run has changed so far, for the Ctrl-C message. */
interface UpProgress {
  /** The stack existed (and was usable) before this run. */
  existed?: boolean;
  passwordParameter?: string;
  /** `storing`: the password phase ran (a new one may be stored); `stored`: this run stored one. */
  password?: 'storing' | 'stored';
  stack?:
    | 'planning-dry-run'
    | 'deleting-failed'
    | 'create-sent'
    | 'creating'
    | 'planning-update'
    | 'update-sent'
    | 'updating';
}

function interruptedError(progress: UpProgress, env: string, stackName: string): UserError {
  const status = `\`traefikctl cluster status --env ${env}\``;
  const up = `\`traefikctl cluster up --env ${env}\``;
  const parameter = progress.passwordParameter ?? '';
  const passwordNote =
    progress.password === 'stored'
      ? ` This run stored the Traefik API password in SSM ${parameter}.`
      : progress.password === 'storing'
        ? ` The Traefik API password may have been stored in SSM ${parameter}.`
        : '';
  const removal = progress.existed
    ? []
    : [
        `Or remove what was made (the stack and the password): \`traefikctl cluster down --env ${env} --yes\`.`,
      ];
  const stackMessages: Record<NonNullable<UpProgress['stack']>, string> = {
    'planning-dry-run': `Stopped while planning the changes to ${stackName}: nothing was changed (a change set that was never executed may be left; the next run replaces it).`,
    'deleting-failed': `Stopped while CloudFormation deletes the failed stack ${stackName}: it goes on deleting it; no new stack was created yet.`,
    'create-sent': `Stopped while CloudFormation was asked to create the stack ${stackName}: the request was sent, so the stack may exist, and CloudFormation goes on creating it.`,
    creating: `Stopped watching the creation of the stack ${stackName}: CloudFormation goes on creating it.`,
    'planning-update': `Stopped while planning the update of ${stackName}: the stack was not changed (a change set that was never executed may be left on it).`,
    'update-sent': `Stopped while CloudFormation was asked to update the stack ${stackName}: the request was sent, so the update may have started, and goes on if it did.`,
    updating: `Stopped watching the update of the stack ${stackName}: CloudFormation goes on with it (and rolls it back if it fails).`,
  };
  const suggestions: string[] = [];
  let message: string;
  if (progress.stack !== undefined) {
    message = `${stackMessages[progress.stack]}${passwordNote}`;
    suggestions.push(`See where it is: ${status}.`);
    if (progress.stack === 'planning-dry-run') {
      suggestions.push(`Run \`traefikctl cluster up --env ${env} --dry-run\` again.`);
    } else if (progress.stack === 'planning-update') {
      suggestions.push(`Run ${up} again to update it.`);
    } else {
      suggestions.push(`Resume: run ${up} again once CloudFormation is done (it keeps the stored password).`);
      if (progress.stack === 'update-sent' || progress.stack === 'updating')
        suggestions.push(
          `Or cancel the update: \`aws cloudformation cancel-update-stack --stack-name ${stackName}\`.`,
        );
      else suggestions.push(...removal);
    }
  } else if (progress.password !== undefined) {
    message =
      progress.password === 'stored'
        ? `Stopped after storing the Traefik API password in SSM ${parameter}; the stack ${stackName} was not changed.`
        : `Stopped while the Traefik API password was being stored in SSM ${parameter} (it may be stored now); the stack ${stackName} was not changed.`;
    suggestions.push(`Resume: run ${up} again (it uses the stored password).`);
    if (!progress.existed)
      suggestions.push(`Or remove the password: \`traefikctl cluster down --env ${env} --yes\`.`);
  } else {
    message = 'Stopped before changing anything.';
    suggestions.push(`Run ${up} again.`);
  }
  return new UserError(message, { suggestions, exitCode: ExitCode.Interrupted, code: 'INTERRUPTED' });
}

/**
 * `cluster up`: creates the stack `traefikctl-<env>`, or updates it when the template or a parameter
 * traefikctl decides differs from what it has. Emits one phase per step and one `progress` event per
 * stack event; fails with the resource that failed and its reason. Ctrl-C (`signal`) stops it at once,
 * saying what may be left.
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
  const emit = options.onEvent ?? silentSink;
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

  const vpc = options.vpc ?? ctx.environment.vpc;
  const subnets = options.subnets ?? ctx.environment.subnets;
  const network = await withPhase(emit, PHASES.network, async (setDetail): Promise<NetworkChoice> => {
    if (existing !== undefined && vpc === undefined && subnets === undefined) {
      // Keep the stack's network: a later `up` without --subnets must not move the cluster. The
      // values are sent again rather than as UsePreviousValue, which moto can't apply to lists.
      const vpcId = parameterOf(existing, 'VpcId') ?? '';
      const kept = parameterList(parameterOf(existing, 'Subnets'));
      const assign = parameterOf(existing, 'AssignPublicIp');
      const cidrs = await vpcCidrs(ec2, vpcId);
      setDetail(`${vpcId}, ${kept.length} subnets (unchanged)`);
      return {
        vpcId,
        subnets: kept,
        assignPublicIp: assign === 'ENABLED' || assign === 'DISABLED' ? assign : undefined,
        vpcCidrs: cidrs,
      };
    }
    const resolved = await resolveNetwork(ec2, { vpc, subnets, region });
    setDetail(describeNetwork(resolved));
    return resolved;
  });

  const passwordParameter = ctx.traefik.passwordParameter ?? defaultPasswordParameter(env);
  progress.passwordParameter = passwordParameter;
  if (!options.dryRun) progress.password = 'storing';
  const password = await withPhase(emit, PHASES.password, async (setDetail) => {
    const found = await ensureApiPassword(ssm, { parameter: passwordParameter, env, store: !options.dryRun });
    if (options.dryRun || !found.created) delete progress.password;
    else progress.password = 'stored';
    setDetail(
      found.created
        ? `${options.dryRun ? 'would be generated and stored' : 'generated and stored'} in SSM ${passwordParameter}`
        : `from SSM ${passwordParameter}`,
    );
    return found;
  });
  const version = String(password.version);
  // Re-hash only when the password changed: a bcrypt hash has a fresh salt every time.
  const rehash =
    existing === undefined ||
    password.created ||
    parameterOf(existing, 'ApiPasswordVersion') !== version ||
    parameterOf(existing, 'PasswordParameter') !== passwordParameter;

  const desired: ClusterParameters = {
    Env: env,
    ClusterName: ctx.cluster,
    Domain: domain,
    HostPattern: hostPattern(ctx.hostTemplate, env, domain),
    VpcId: network.vpcId,
    Subnets: network.subnets,
    AssignPublicIp: network.assignPublicIp,
    CertificateArn: options.certificateArn ?? ctx.environment.certificateArn,
    HostedZoneId: options.hostedZoneId ?? ctx.environment.hostedZoneId,
    TraefikImage: ctx.traefik.image,
    TraefikArguments: traefikArgumentsParameter(
      renderTraefikArguments({ cluster: ctx.cluster, region, env, entryPoint, trustedIps: network.vpcCidrs }),
    ),
    EntryPoint: entryPoint,
    ApiUsername: ctx.traefik.username,
    ApiPasswordHash: rehash ? await hashApiPassword(password.value) : undefined,
    ApiPasswordVersion: version,
    PasswordParameter: passwordParameter,
  };
  const templateBody = await loadClusterTemplate();
  const base = {
    env,
    stackName,
    existed: existing !== undefined,
    passwordParameter,
    passwordCreated: password.created,
  };
  const tags = [{ Key: 'traefikctl:env', Value: env }];

  const comparison = await withPhase(emit, PHASES.plan, async (setDetail) => {
    if (existing === undefined) {
      setDetail(
        replace
          ? `${stackName} is ${found?.StackStatus}: it will be replaced`
          : `${stackName} doesn't exist yet`,
      );
      return { changed: [] as string[], templateChanged: true };
    }
    const current = await currentTemplate(cloudformation, stackName);
    const changed = changedParameters(desired, existing.Parameters ?? []);
    const templateChanged = current !== templateBody;
    setDetail(describeDifference(changed, templateChanged));
    return { changed, templateChanged };
  });

  if (existing !== undefined && comparison.changed.length === 0 && !comparison.templateChanged) {
    skipPhase(emit, PHASES.stack, 'no changes');
    return {
      ...base,
      action: 'unchanged',
      changedParameters: [],
      templateChanged: false,
      outputs: parseClusterOutputs(existing, env),
    };
  }

  const parameters = stackParameters(
    desired,
    existing?.Parameters,
    existing === undefined ? await withDefaults(cloudformation, templateBody, stackName) : {},
  );
  const summary = { changedParameters: comparison.changed, templateChanged: comparison.templateChanged };

  if (options.dryRun) {
    const type = existing === undefined ? 'CREATE' : 'UPDATE';
    const changes = await withPhase(
      emit,
      { id: 'stack', title: `Plan the changes to ${stackName}` },
      async (setDetail) => {
        progress.stack = 'planning-dry-run';
        // A dry run must not touch a stack that is there to be replaced: plan a creation elsewhere.
        const planned = await computeChangeSet({
          cloudformation,
          stackName: replace ? `${stackName}-plan` : stackName,
          type,
          templateBody,
          parameters,
          tags,
          ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
        });
        await discardChangeSet(cloudformation, replace ? `${stackName}-plan` : stackName, planned, type);
        setDetail(`${planned.changes?.length ?? 0} resource changes`);
        return planned.changes ?? [];
      },
    );
    return { ...base, ...summary, action: 'planned', changes };
  }

  const watch = {
    cloudformation,
    stackName,
    phase: PHASES.stack.id,
    onEvent: emit,
    env,
    ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  };

  if (existing === undefined) {
    if (replace && found?.StackId !== undefined) {
      const failedId = found.StackId;
      await withPhase(emit, PHASES.cleanup, async () => {
        progress.stack = 'deleting-failed';
        await deleteStack(cloudformation, failedId, stackName, `traefikctl cluster status --env ${env}`);
        await watchStack({
          ...watch,
          stackId: failedId,
          operation: 'delete',
          sinceEventId: undefined,
          phase: PHASES.cleanup.id,
        });
      });
    }
    const stack = await withPhase(emit, { ...PHASES.stack, title: `Create ${stackName}` }, async () => {
      progress.stack = 'create-sent';
      const stackId = await createStack(cloudformation, { stackName, templateBody, parameters, tags });
      progress.stack = 'creating';
      const outcome = await watchStack({ ...watch, stackId, operation: 'create', sinceEventId: undefined });
      return outcome.stack;
    });
    return { ...base, ...summary, action: 'created', ...outputsOf(stack, env) };
  }

  const stackId = existing.StackId ?? stackName;
  const result = await withPhase(
    emit,
    { ...PHASES.stack, title: `Update ${stackName}` },
    async (setDetail) => {
      progress.stack = 'planning-update';
      const planned = await computeChangeSet({
        cloudformation,
        stackName,
        type: 'UPDATE',
        templateBody,
        parameters,
        tags,
        ...(options.pollIntervalMs === undefined ? {} : { pollIntervalMs: options.pollIntervalMs }),
      });
      if (planned.changes === undefined) {
        setDetail('CloudFormation found nothing to change');
        return { action: 'unchanged' as const, stack: existing, changes: [] };
      }
      const destructive = destructiveChanges(planned.changes);
      if (destructive.length > 0 && !options.yes) {
        const list = destructive
          .map(
            (c) =>
              `${c.logicalId} (${c.resourceType}) ${c.action === 'Remove' ? 'is removed' : 'is replaced'}`,
          )
          .join('; ');
        const approved = options.confirm
          ? await options.confirm(`This update loses resources: ${list}. Apply it?`)
          : false;
        if (!approved) {
          await discardChangeSet(cloudformation, stackName, planned, 'UPDATE');
          if (options.confirm) {
            throw new UserError(`The stack ${stackName} was left as it is.`, {
              exitCode: ExitCode.Failure,
              code: 'UPDATE_DECLINED',
            });
          }
          throw usageError(
            `The update of ${stackName} replaces or removes resources (${list}), and that needs a confirmation.`,
            [`Review it with \`traefikctl cluster up --env ${env} --dry-run\`, then pass --yes to apply it.`],
            'CONFIRMATION_REQUIRED',
          );
        }
      }
      const since = await newestEventId(cloudformation, stackId);
      progress.stack = 'update-sent';
      await executeChangeSet(cloudformation, stackName, planned, `traefikctl cluster status --env ${env}`);
      progress.stack = 'updating';
      const outcome = await watchStack({ ...watch, stackId, operation: 'update', sinceEventId: since });
      return { action: 'updated' as const, stack: outcome.stack, changes: planned.changes };
    },
  );
  return {
    ...base,
    ...summary,
    action: result.action,
    changes: result.changes,
    ...outputsOf(result.stack, env),
  };
}

async function withDefaults(
  cloudformation: CloudFormationClient,
  templateBody: string,
  stackName: string,
): Promise<Record<string, string>> {
  try {
    return await templateDefaults(cloudformation, templateBody);
  } catch (error) {
    throw wrap(error, `read the template of ${stackName}`, 'cloudformation:GetTemplateSummary');
  }
}

/** The network a run uses: newly resolved, or the stack's own. */
interface NetworkChoice {
  vpcId: string;
  subnets: string[];
  assignPublicIp: 'ENABLED' | 'DISABLED' | undefined;
  vpcCidrs: string[];
}

function outputsOf(stack: Stack | undefined, env: string): { outputs?: ClusterOutputs } {
  return stack === undefined ? {} : { outputs: parseClusterOutputs(stack, env) };
}

async function createStack(
  cloudformation: CloudFormationClient,
  request: {
    stackName: string;
    templateBody: string;
    parameters: Parameter[];
    tags: { Key: string; Value: string }[];
  },
): Promise<string> {
  const { CreateStackCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(
      new CreateStackCommand({
        StackName: request.stackName,
        TemplateBody: request.templateBody,
        Parameters: request.parameters,
        // The roles get generated names, so CAPABILITY_NAMED_IAM is not needed.
        Capabilities: ['CAPABILITY_IAM'],
        Tags: request.tags,
        OnFailure: 'ROLLBACK',
      }),
    );
    return answer.StackId ?? request.stackName;
  } catch (error) {
    throw wrap(
      error,
      `create the stack ${request.stackName}`,
      'cloudformation:CreateStack (and the permissions to create its resources)',
    );
  }
}

async function currentTemplate(
  cloudformation: CloudFormationClient,
  stackName: string,
): Promise<string | undefined> {
  const { GetTemplateCommand } = await import('@aws-sdk/client-cloudformation');
  try {
    const answer = await cloudformation.send(
      new GetTemplateCommand({ StackName: stackName, TemplateStage: 'Original' }),
    );
    return answer.TemplateBody;
  } catch (error) {
    throw wrap(error, `read the template of the stack ${stackName}`, 'cloudformation:GetTemplate');
  }
}

function parameterOf(stack: Stack, key: string): string | undefined {
  return stack.Parameters?.find((p) => p.ParameterKey === key)?.ParameterValue;
}

function assertUpdatable(stack: Stack | undefined, stackName: string, env: string): void {
  const status = stack?.StackStatus;
  if (status === undefined || REPLACEABLE.has(status)) return;
  if (status.endsWith('_IN_PROGRESS')) {
    throw new UserError(`The stack ${stackName} is ${status}: another change is under way.`, {
      suggestions: [
        `Wait for it to finish (\`traefikctl cluster status --env ${env}\`), then run the command again.`,
      ],
      code: 'CLUSTER_BUSY',
    });
  }
  if (status.endsWith('_FAILED')) {
    throw new UserError(
      `The stack ${stackName} is ${status}${stack?.StackStatusReason ? ` (${stack.StackStatusReason})` : ''}.`,
      {
        suggestions: [
          'CloudFormation needs a hand here: look at the stack events in the AWS console,',
          `or remove the cluster with \`traefikctl cluster down --env ${env}\` and create it again.`,
        ],
        code: 'CLUSTER_UNUSABLE',
      },
    );
  }
}

/** The ECS cluster has one entry point behind the load balancer; routers must all use it. */
function singleEntryPoint(ctx: ResolvedContext): string {
  const [first, ...others] = ctx.traefik.entryPoints;
  if (first === undefined || others.length > 0) {
    throw usageError(
      `traefik.entryPoints lists ${ctx.traefik.entryPoints.join(', ')}, but the ECS cluster has one entry point behind its load balancer.`,
      ['Set traefik.entryPoints to one name, e.g. [web] (HTTPS is terminated by the load balancer).'],
      'ENTRY_POINTS',
    );
  }
  if (first === 'traefik') {
    throw usageError(
      "traefik.entryPoints names `traefik`, which is Traefik's internal entry point (ping, metrics).",
      ['Use another name, e.g. web.'],
    );
  }
  return first;
}

/** `{app}-{tag}.{env}.{domain}` -> `{app}-{tag}.dev.example.com` */
export function hostPattern(template: string, env: string, domain: string): string {
  return template.replaceAll('{env}', env).replaceAll('{domain}', domain);
}

function describeNetwork(network: ClusterNetwork): string {
  const source = { given: '', vpc: '', 'default-vpc': ' (default VPC)' }[network.source];
  return `${network.vpcId}${source}, ${network.subnets.length} subnets in ${network.availabilityZones.length} availability zones`;
}

function describeDifference(changed: readonly string[], templateChanged: boolean): string {
  const parts = [
    ...(templateChanged ? ['the template'] : []),
    ...changed.map((key) => (key === 'ApiPasswordHash' ? 'the API password' : key)),
  ];
  return parts.length === 0 ? 'no changes' : `changes: ${parts.join(', ')}`;
}
