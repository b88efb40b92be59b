import { withTimeout } from '../async.js';
import type { AwsClients } from '../aws/clients.js';
import { explainAwsError } from '../aws/errors.js';
import { loadConfig } from '../config/load.js';
import {
  resolveContext,
  type GlobalOptions,
  type ResolvedContext,
  type ShellOverride,
} from '../config/resolve.js';
import { configSchema } from '../config/schema.js';
import { dockerVersion } from '../docker/docker.js';
import { formatDuration } from '../duration.js';
import { openEnvironment, type Environment } from '../env/open.js';
import { describeError, isUserError } from '../errors.js';
import { checkNode, fail, ok, skip, warn, type CheckResult } from './checks.js';

export interface DoctorOptions {
  cwd: string;
  global: GlobalOptions;
  /** Environment for the Traefik API password (TRAEFIKCTL_TRAEFIK_PASSWORD); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
  /** Per network check, so that a dead endpoint can't hang the doctor. */
  timeoutMs?: number;
}

export interface DoctorReport {
  ok: boolean;
  env: string;
  checks: CheckResult[];
}

const ORDER = ['node', 'docker', 'config', 'region', 'credentials', 'cluster', 'traefik'] as const;

/**
 * Checks everything traefikctl depends on, independent checks concurrently, and says how to fix
 * each failure. Never throws for a failed check: a failure is a result.
 */
export async function runDoctor(options: DoctorOptions): Promise<DoctorReport> {
  const env = options.env ?? process.env;
  const timeoutMs = options.timeoutMs ?? 8000;
  const results: CheckResult[] = [checkNode()];

  const dockerCheck = checkDocker();
  const { result: configResult, context } = await checkConfig(options);
  results.push(configResult);

  if (context.target === 'docker') {
    const { localDoctorChecks } = await import('./local.js');
    results.push(...(await localDoctorChecks(context, timeoutMs)), await dockerCheck);
    return report(results, context.env);
  }
  const environment = await openEnvironment({ context, maxAttempts: 2, environment: env });
  const { clients } = environment;
  try {
    const region = await checkRegion(clients, context.overrides);
    results.push(region);
    const credentials =
      region.status !== 'fail'
        ? await checkWithin(checkCredentials(clients), timeoutMs, 'credentials')
        : skip('credentials', 'needs an AWS region');
    results.push(credentials);
    const awsReady = credentials.status === 'ok';
    const [cluster, traefik] = await Promise.all([
      awsReady
        ? checkWithin(checkCluster(clients, context), timeoutMs, 'cluster')
        : skip('cluster', 'needs AWS credentials'),
      checkWithin(checkTraefik(environment, awsReady, timeoutMs), timeoutMs + 1000, 'traefik'),
    ]);
    results.push(cluster, traefik, await dockerCheck);
  } finally {
    await environment.close();
  }

  return report(results, context.env);
}

function report(results: readonly CheckResult[], env: string): DoctorReport {
  const checks = ORDER.map((id) => results.find((r) => r.id === id)).filter(
    (r): r is CheckResult => r !== undefined,
  );
  return { ok: checks.every((c) => c.status !== 'fail'), env, checks };
}

async function checkDocker(): Promise<CheckResult> {
  try {
    const version = await dockerVersion();
    return ok('docker', `daemon ${version.server} (${version.platform}), client ${version.client}`);
  } catch (error) {
    return failFrom('docker', error, 'Start Docker, then run `traefikctl doctor` again.');
  }
}

async function checkConfig(
  options: DoctorOptions,
): Promise<{ result: CheckResult; context: ResolvedContext }> {
  try {
    const loaded = await loadConfig({ cwd: options.cwd, configPath: options.global.configPath });
    const context = resolveContext(loaded, { ...options.global, cwd: options.cwd });
    if (loaded.filepath === undefined) {
      return {
        result: warn(
          'config',
          'no configuration file found; defaults apply',
          'Create one with `traefikctl init`.',
        ),
        context,
      };
    }
    const apps = Object.keys(loaded.config.apps);
    return {
      result: ok(
        'config',
        `${loaded.filepath} (env ${context.env}${apps.length ? `, apps: ${apps.join(', ')}` : ''})`,
      ),
      context,
    };
  } catch (error) {
    // The rest of the checks still run, on the defaults and the global flags.
    const context = resolveContext(
      { config: configSchema.parse({}), filepath: undefined, dir: options.cwd, interpolated: [] },
      { ...options.global, env: options.global.env ?? 'dev', cwd: options.cwd },
    );
    return { result: failFrom('config', error, 'Fix the configuration file.'), context };
  }
}

async function checkRegion(clients: AwsClients, overrides: readonly ShellOverride[]): Promise<CheckResult> {
  try {
    const region = await (await clients.sts()).config.region();
    if (!region) throw new Error('Region is missing');
    const override = overrides.find((candidate) => candidate.setting === 'region');
    if (override !== undefined && override.value === region) {
      return warn(
        'region',
        `${region}, from ${override.variable}; the configuration says ${override.written} (${override.key})`,
        `Unset ${override.variable}, or pass --region ${override.written}, to use the configuration's region.`,
      );
    }
    return ok('region', region);
  } catch (error) {
    // A client that can't be built for another reason (an invalid TRAEFIKCTL_AWS_TIMEOUT) says so.
    if (isUserError(error)) return failFrom('region', error);
    return fail(
      'region',
      'no AWS region is set',
      'Pass --region, set AWS_REGION, or set `region` in the configuration.',
    );
  }
}

async function checkCredentials(clients: AwsClients): Promise<CheckResult> {
  try {
    const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const identity = await (await clients.sts()).send(new GetCallerIdentityCommand({}));
    return ok('credentials', `${identity.Arn ?? 'unknown identity'} (account ${identity.Account ?? '?'})`);
  } catch (error) {
    return failFrom(
      'credentials',
      explainAwsError(error, 'check your AWS identity', 'sts:GetCallerIdentity'),
    );
  }
}

async function checkCluster(clients: AwsClients, context: ResolvedContext): Promise<CheckResult> {
  const upFix = `Create it with \`traefikctl cluster up --env ${context.env}\`.`;
  try {
    const { DescribeClustersCommand } = await import('@aws-sdk/client-ecs');
    const { clusters = [] } = await (
      await clients.ecs()
    ).send(new DescribeClustersCommand({ clusters: [context.cluster] }));
    const cluster = clusters.find((c) => c.status === 'ACTIVE');
    if (!cluster) return fail('cluster', `${context.cluster} doesn't exist`, upFix);
    return ok(
      'cluster',
      `${context.cluster} (${cluster.activeServicesCount ?? 0} services, ${cluster.runningTasksCount ?? 0} running tasks)`,
    );
  } catch (error) {
    return failFrom(
      'cluster',
      explainAwsError(error, `describe the ECS cluster ${context.cluster}`, 'ecs:DescribeClusters'),
    );
  }
}

async function checkTraefik(
  environment: Environment,
  awsReady: boolean,
  timeoutMs: number,
): Promise<CheckResult> {
  const { context } = environment;
  // Without traefik.apiUrl the URL is the stack's ApiUrl, as for every other command: that needs AWS.
  if (context.traefik.apiUrl === undefined && !awsReady)
    return skip('traefik', "needs AWS credentials to read the API URL from the cluster's stack");
  const [{ passwordFromEnvironment }, { TraefikClient }] = await Promise.all([
    import('../traefik/access.js'),
    import('../traefik/client.js'),
  ]);
  let access;
  try {
    // As every command reads the API: the same URL and password sources, hints, redirect rules and
    // limits. SSM needs AWS; without it, only the variable can give the password.
    access = await environment.traefik(
      awsReady || passwordFromEnvironment(environment.processEnv) !== undefined
        ? {}
        : { withoutSsm: 'reading it from SSM needs AWS credentials' },
    );
  } catch (error) {
    // No URL anywhere (no stack, or one created without a domain): there is no API to check.
    if (isUserError(error) && error.code === 'TRAEFIK_URL_MISSING')
      return skip('traefik', `no API URL: ${error.message}`);
    return failFrom('traefik', error);
  }
  try {
    const client = new TraefikClient({ ...access, timeoutMs, retries: 0 });
    const version = await client.version();
    return ok('traefik', `Traefik ${version.Version} at ${client.displayUrl}`);
  } catch (error) {
    return failFrom(
      'traefik',
      error,
      `Check traefik.apiUrl and that the cluster is up (\`traefikctl cluster status --env ${context.env}\`).`,
    );
  }
}

function failFrom(
  id: CheckResult['id'],
  error: unknown,
  fallbackFix = 'Rerun with --verbose for details.',
): CheckResult {
  if (isUserError(error)) return fail(id, error.message, error.suggestions[0] ?? fallbackFix);
  return fail(id, describeError(error), fallbackFix);
}

function checkWithin(check: Promise<CheckResult>, ms: number, id: CheckResult['id']): Promise<CheckResult> {
  return withTimeout(check, ms, () =>
    fail(id, `no answer within ${formatDuration(ms)}`, 'Check your network and AWS endpoint.'),
  );
}
