import type { ResolvedContext } from '../../config/resolve.js';
import { usageError } from '../../errors.js';
import { refreshSeconds } from '../../duration.js';
import {
  defaultPasswordParameter,
  ensureApiPassword,
  hashApiPassword,
  type ApiPassword,
} from '../password.js';
import type { ClusterParameters } from '../template.js';
import { renderTraefikArguments, traefikArgumentsParameter } from '../traefik-command.js';
import { withPhase } from '../../events.js';
import { PHASES, type UpRun } from './context.js';
import type { NetworkChoice } from './network.js';
import { parameterOf } from './stack.js';

/** The password step, and the stack parameters traefikctl decides from the configuration and flags. */

/** The API password from SSM, or a new one stored there (a dry run only says it would be). */
export async function ensurePassword(run: UpRun): Promise<{ parameter: string; password: ApiPassword }> {
  const { options, progress, env } = run;
  const parameter = options.context.traefik.passwordParameter ?? defaultPasswordParameter(env);
  progress.passwordParameter = parameter;
  if (!options.dryRun) progress.password = 'storing';
  const password = await withPhase(run.emit, PHASES.password, async (setDetail) => {
    const found = await ensureApiPassword(run.ssm, { parameter, env, store: !options.dryRun });
    if (options.dryRun || !found.created) delete progress.password;
    else progress.password = 'stored';
    setDetail(
      found.created
        ? `${options.dryRun ? 'would be generated and stored' : 'generated and stored'} in SSM ${parameter}`
        : `from SSM ${parameter}`,
    );
    return found;
  });
  return { parameter, password };
}

export async function desiredParameters(
  run: UpRun,
  input: {
    domain: string;
    entryPoint: string;
    network: NetworkChoice;
    parameter: string;
    password: ApiPassword;
  },
): Promise<ClusterParameters> {
  const { options, existing, env } = run;
  const ctx = options.context;
  const { network, password, parameter } = input;
  const version = String(password.version);
  // Re-hash only when the password changed: a bcrypt hash has a fresh salt every time.
  const rehash =
    existing === undefined ||
    password.created ||
    parameterOf(existing, 'ApiPasswordVersion') !== version ||
    parameterOf(existing, 'PasswordParameter') !== parameter;
  return {
    Env: env,
    ClusterName: ctx.cluster,
    Domain: input.domain,
    HostPattern: hostPattern(ctx.hostTemplate, env, input.domain),
    VpcId: network.vpcId,
    Subnets: network.subnets,
    AssignPublicIp: network.assignPublicIp,
    CertificateArn: options.certificateArn ?? ctx.environment.certificateArn,
    HostedZoneId: options.hostedZoneId ?? ctx.environment.hostedZoneId,
    TraefikImage: ctx.traefik.image,
    TraefikArguments: traefikArgumentsParameter(
      renderTraefikArguments({
        cluster: ctx.cluster,
        region: run.region,
        env,
        entryPoint: input.entryPoint,
        trustedIps: network.vpcCidrs,
        refreshSeconds:
          ctx.traefik.refreshInterval === undefined ? undefined : refreshSeconds(ctx.traefik.refreshInterval),
      }),
    ),
    EntryPoint: input.entryPoint,
    ApiUsername: ctx.traefik.username,
    ApiPasswordHash: rehash ? await hashApiPassword(password.value) : undefined,
    ApiPasswordVersion: version,
    PasswordParameter: parameter,
  };
}

/** The ECS cluster has one entry point behind the load balancer; routers must all use it. */
export function singleEntryPoint(ctx: ResolvedContext): string {
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
