import type { AwsClients } from '../../aws/clients.js';
import type { Environment } from '../../env/open.js';
import type { EventSink } from '../../events.js';
import type { PushImageOptions, PushImageResult } from '../../image/push.js';
import type { DeployAws } from './ecs/api.js';
import type { PhaseRecorder } from './phases.js';
import type { Poller, PollerOptions } from './poll.js';
import type { DeployRequest, DeploySpec } from './request.js';
import type { RouteApi } from './track-route.js';

/** What `app deploy` is asked to do, and what its steps share while they run. */

export const DEFAULT_TIMEOUT_MS = 10 * 60_000;
export const DEFAULT_ROUTE_TIMEOUT_MS = 3 * 60_000;
export const DEFAULT_PROBE_TIMEOUT_MS = 2 * 60_000;

export interface DeployAppOptions extends DeployRequest {
  /** Build and push the image first (`image push`), and deploy what was pushed. */
  build?: boolean;
  /** Replace a deployment in progress; redeploy (new tasks) even when nothing changed. */
  force?: boolean;
  /** False: return once ECS accepted the change (`--no-wait`). */
  wait?: boolean;
  /**
   * The whole deploy, from the first call to live (`--timeout`, default 10 minutes): every AWS call,
   * the rollout, the route and the URL probe's requests included.
   */
  timeoutMs?: number;
  /** The same as text (`90s`, `10m`), as the flag gives it; wins over `timeoutMs`. */
  timeout?: string | undefined;
  /** How long Traefik may take to show the route once the tasks run. */
  routeTimeoutMs?: number;
  /** How long the URL may take to answer once routed. */
  probeTimeoutMs?: number;
  skipRouteCheck?: boolean;
  skipProbe?: boolean;
  /** `host[:port]` to send the URL probe to, with the deployment's Host header. */
  probeAddress?: string | undefined;
  /** Ctrl-C: stop watching (the deployment goes on in ECS) and say how to resume or roll back. */
  signal?: AbortSignal | undefined;
  onEvent?: EventSink | undefined;
  /** The env, opened by the command; opened from `cwd` and `global` (and closed) otherwise. */
  environment?: Environment | undefined;
  /** Where TRAEFIKCTL_TRAEFIK_PASSWORD and TRAEFIKCTL_CONNECT_TO are read; defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** For tests: the AWS calls; defaults to SDK clients for the env's region and profile. */
  aws?: DeployAws;
  /** For tests: Traefik's API; defaults to a client for the configured API URL. */
  routeApi?: RouteApi;
  poller?: Omit<PollerOptions, 'signal'>;
  now?: () => Date;
  /** For tests: the image push that `build` runs. */
  pushImage?: (options: PushImageOptions) => Promise<PushImageResult>;
  /** What a failed first-time tag becomes (`--on-failure`); the app's `onFailure` else (ecs/failure-policy.ts). */
  onFailure?: string | undefined;
  /** At the app's `maxDeployments`, remove the oldest (expired, idle first) instead of refusing. */
  pruneOldest?: boolean | undefined;
}

/** What has been changed so far, for the Ctrl-C message. */
export interface Progress {
  taskDefinitionArn?: string;
  applied?: 'created' | 'updated' | 'unchanged';
  /** An unchanged deployment's tags are being rewritten (some may be by now). */
  renewing?: boolean;
  deploymentId?: string | undefined;
  previousTaskDefinition?: string | undefined;
  cluster?: string;
  /** The service ran tasks before this deploy (a failure is then ECS's to roll back). */
  ranBefore?: boolean;
  /** Traefik routed the deployment: a task that exits after that is not a verdict on the build. */
  routed?: boolean;
  /**
   * The change whose request is out and whose answer hasn't come: when the deploy stops now, AWS may
   * or may not have carried it out.
   */
  sending?: 'register' | 'create' | 'update';
}

/** One deploy in progress: every step reads it, and records what it changed in `progress`. */
export interface DeployRun {
  options: DeployAppOptions & { timeoutMs: number };
  spec: DeploySpec;
  aws: DeployAws;
  /** Built with the deploy's deadline; undefined when a test gives `aws`. */
  clients: AwsClients | undefined;
  environment: Environment;
  poller: Poller;
  /** Of the whole deploy (poller time). */
  deadline: number;
  emit: EventSink;
  recorder: PhaseRecorder;
  startedAt: Date;
  progress: Progress;
  /** Where the probe connects: --probe-address, else TRAEFIKCTL_CONNECT_TO. */
  probeAddress: string | undefined;
}
