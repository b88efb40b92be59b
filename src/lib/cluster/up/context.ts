import type { Stack } from '@aws-sdk/client-cloudformation';

import type { AwsClients } from '../../aws/clients.js';
import type { ResolvedContext } from '../../config/resolve.js';
import type { EventSink } from '../../events.js';
import type { PlannedChange } from '../change-set.js';
import type { ClusterOutputs } from '../outputs.js';

/** What `cluster up` is asked to do, what it returns, and what its steps share while they run. */

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

export const PHASES = {
  network: { id: 'network', title: 'Network' },
  password: { id: 'password', title: 'Traefik API password' },
  plan: { id: 'plan', title: 'Compare with the stack' },
  cleanup: { id: 'cleanup', title: 'Remove the failed stack' },
  stack: { id: 'stack', title: 'Stack' },
} as const;

/** Stacks with nothing worth keeping: a failed first create, or an interrupted dry run. */
export const REPLACEABLE = new Set(['ROLLBACK_COMPLETE', 'REVIEW_IN_PROGRESS']);

/** What a run has changed so far, for the Ctrl-C message. */
export interface UpProgress {
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

/** One run in progress: every step reads it, and records what it changed in `progress`. */
export interface UpRun {
  options: ClusterUpOptions;
  env: string;
  stackName: string;
  emit: EventSink;
  progress: UpProgress;
  cloudformation: Awaited<ReturnType<AwsClients['cloudformation']>>;
  ec2: Awaited<ReturnType<AwsClients['ec2']>>;
  ssm: Awaited<ReturnType<AwsClients['ssm']>>;
  region: string;
  /** The stack as it is, when there is one. */
  found: Stack | undefined;
  /** The stack to update; undefined when it is created (or replaced: `replace`). */
  existing: Stack | undefined;
  /** The stack is a failed first create (or an interrupted dry run): it is deleted and created again. */
  replace: boolean;
}
