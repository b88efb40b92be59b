import { z } from 'zod/mini';

import {
  isConfigDuration,
  MAX_REFRESH_SECONDS,
  MAX_STOP_TIMEOUT_SECONDS,
  refreshSeconds,
  stopTimeoutSeconds,
} from '../duration.js';
import { DEFAULT_HOST_TEMPLATE, hostTemplateProblem } from '../naming.js';

/**
 * The whole traefikctl configuration (traefikctl.config.yaml and friends). Every key DESIGN.md names
 * is here; unknown keys are errors so that typos never pass silently. Defaults live here too, so a
 * parsed config is complete.
 *
 * Written with zod/mini, the same validator as zod's chained API (the same issues, read by
 * ./issues.ts) without a copy of every method on every schema: building this schema and the first
 * parse took half the time, ~6 ms of every command that reads the configuration (bench/RESULTS.md).
 */

const awsRegion = z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'an AWS region such as eu-west-1'));
const domainName = z
  .string()
  .check(
    z.regex(
      /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
      'a lowercase domain such as example.com',
    ),
  );
/**
 * An environment name: it is a part of hostnames (`{env}`) and of stack names, so it is a DNS label
 * that starts with a letter, short enough to leave room for the rest. `--env` is checked against it too.
 */
export const ENV_NAME = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
const envName = z.string().check(z.regex(ENV_NAME, 'a short lowercase name such as dev or staging'));
const appName = z.string().check(z.regex(/^[a-z][a-z0-9-]{0,39}$/, 'a lowercase name such as whoami'));
const variableName = z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'));
const duration = z.string().check(z.refine(isConfigDuration, 'a duration such as 30s, 10m, 12h, 7d or 2w'));
/** A duration that AWS or Traefik takes in whole seconds, from 1 s to `max` (`read` tells). */
const wholeSeconds = (read: (text: string) => number | undefined, max: number, examples: string) =>
  z
    .string()
    .check(
      z.refine((text) => read(text) !== undefined, `whole seconds from 1s to ${max}s, such as ${examples}`),
    );

/** A whole number from `min` to `max`. */
const wholeNumber = (min: number, max: number) => z.number().check(z.int(), z.minimum(min), z.maximum(max));
const nonEmpty = () => z.string().check(z.minLength(1));

/**
 * A mapping whose keys are names (`apps`, `environments`, environment variables): every name is checked,
 * and every value too, also under a name that is refused. zod's record skips the value of a key it
 * refuses, so `Bad_Name: {port: 99999}` reported only the name and the port's mistake only on the next
 * run; here one run lists both (as `invalid_key`, which src/lib/config/issues.ts words).
 */
function namedRecord<Value extends z.ZodMiniType>(name: z.ZodMiniType<string>, value: Value) {
  const names = z.superRefine<Record<string, z.output<Value>>>(
    (record, ctx) => {
      if (typeof record !== 'object' || record === null) return; // not a mapping: said already
      for (const key of Object.keys(record)) {
        const checked = name.safeParse(key);
        if (!checked.success)
          ctx.addIssue({
            code: 'invalid_key',
            origin: 'record',
            issues: checked.error.issues,
            input: key,
            path: [key],
          });
      }
    },
    // Also when a value has a mistake: a check is skipped after one by default.
    { when: () => true },
  );
  return z.record(z.string(), value).check(names);
}

export const healthCheckSchema = z.strictObject({
  path: z._default(z.string().check(z.startsWith('/')), '/'),
  interval: z._default(duration, '10s'),
  timeout: z._default(duration, '5s'),
});

export const secretRefSchema = z.union([
  z.string().check(z.startsWith('arn:aws:', 'an SSM parameter or Secrets Manager ARN')),
  z.string().check(z.startsWith('/', 'an SSM parameter name starting with /')),
]);

export const appSchema = z.strictObject({
  /** Docker build context, relative to the config file. */
  context: z._default(z.string(), '.'),
  /** Dockerfile path, relative to the build context. */
  dockerfile: z._default(z.string(), 'Dockerfile'),
  /** ECR repository name; defaults to the app name. */
  repository: z.optional(
    z.string().check(z.regex(/^[a-z0-9]+([._/-][a-z0-9]+)*$/, 'an ECR repository name')),
  ),
  platform: z._default(
    z.string().check(z.regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, 'a platform such as linux/amd64')),
    'linux/amd64',
  ),
  buildArgs: z._default(z.record(z.string(), z.string()), {}),
  tagMutability: z._default(z.enum(['MUTABLE', 'IMMUTABLE']), 'MUTABLE'),
  port: z._default(wholeNumber(1, 65535), 80),
  cpu: z._default(
    z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(2048), z.literal(4096)]),
    256,
  ),
  memory: z._default(wholeNumber(512, 30720), 512),
  environment: z._default(namedRecord(variableName, z.string()), {}),
  secrets: z._default(namedRecord(variableName, secretRefSchema), {}),
  healthCheck: z.optional(healthCheckSchema),
  /**
   * How long a stopping container has between SIGTERM and SIGKILL: ECS's container `stopTimeout` (30 s
   * when unset), `docker run --stop-timeout` on the local target (10 s when unset). A redeploy on ECS
   * loses no request only if the old task keeps serving after SIGTERM until Traefik's next refresh
   * routes its replacement (README, "Redeploying a live tag").
   */
  stopTimeout: z.optional(wholeSeconds(stopTimeoutSeconds, MAX_STOP_TIMEOUT_SECONDS, '30s or 2m')),
  desiredCount: z._default(wholeNumber(1, 10), 1),
  /** Deployments of this app expire after this long (`traefikctl:expires-at`, used by `app prune --expired`). */
  ttl: z.optional(duration),
  /** Failed tasks that trip ECS's deployment circuit breaker (a COUNT threshold); default 2. */
  failureThreshold: z.optional(wholeNumber(1, 200)),
  /** What a failed first-time tag becomes (`--on-failure` wins); default scale-to-zero. */
  onFailure: z.optional(z.enum(['scale-to-zero', 'keep', 'destroy'])),
  /** At most this many deployments (tags) of the app per env; one more is refused or prunes the oldest. */
  maxDeployments: z.optional(wholeNumber(1, 1000)),
  /**
   * The default ttl of tags matching a pattern (`*` matches any run of characters), e.g.
   * `{"pr-*": "3d"}`: previews expire unless deployed again. The first matching pattern wins over
   * `ttl`; `--ttl` wins over both.
   */
  ttlFor: z.optional(
    namedRecord(z.string().check(z.regex(/^[A-Za-z0-9_./*+-]+$/, 'a tag pattern such as pr-*')), duration),
  ),
});

/** Where an environment runs: ECS (Fargate behind a load balancer) or the local Docker engine. */
export const ENV_TARGETS = ['ecs', 'docker'] as const;
export type EnvTarget = (typeof ENV_TARGETS)[number];

export const environmentSchema = z.strictObject({
  /** `ecs` (default) or `docker`: the local engine, Traefik's Docker provider, published on 127.0.0.1. */
  target: z.optional(z.enum(ENV_TARGETS)),
  /**
   * Target `docker`: the port of 127.0.0.1 that Traefik's web entry point is published on (default
   * 8080); URLs are `http://<host>:<port>`.
   */
  port: z.optional(wholeNumber(1, 65535)),
  /**
   * ECS cluster name; defaults to `traefikctl-<env>`. Target `docker`: the name of traefikctl's
   * Docker network (the Traefik container is `<cluster>-traefik`).
   */
  cluster: z.optional(nonEmpty()),
  domain: z.optional(domainName),
  region: z.optional(awsRegion),
  profile: z.optional(nonEmpty()),
  vpc: z.optional(z.string().check(z.regex(/^vpc-[0-9a-f]+$/, 'a VPC id such as vpc-0abc123'))),
  subnets: z.optional(
    z
      .array(z.string().check(z.regex(/^subnet-[0-9a-f]+$/, 'a subnet id such as subnet-0abc123')))
      .check(z.minLength(1)),
  ),
  securityGroups: z.optional(
    z
      .array(z.string().check(z.regex(/^sg-[0-9a-f]+$/, 'a security group id such as sg-0abc123')))
      .check(z.minLength(1)),
  ),
  certificateArn: z.optional(z.string().check(z.startsWith('arn:aws:acm:', 'an ACM certificate ARN'))),
  hostedZoneId: z.optional(
    z.string().check(z.regex(/^Z[A-Z0-9]+$/, 'a Route53 hosted zone id such as Z123ABC')),
  ),
});

export const traefikSchema = z.strictObject({
  image: z._default(nonEmpty(), 'traefik:v3.7'),
  /** Traefik API base URL; defaults to `https://traefik.<env>.<domain>` once the cluster is up. */
  apiUrl: z.optional(z.url({ protocol: /^https?$/ })),
  username: z._default(nonEmpty(), 'admin'),
  /** SSM SecureString holding the API password; defaults to `/traefikctl/<env>/traefik-api-password`. */
  passwordParameter: z.optional(z.string().check(z.startsWith('/'))),
  entryPoints: z._default(z.array(nonEmpty()).check(z.minLength(1)), ['web']),
  /**
   * How often the ECS cluster's Traefik asks ECS for tasks (`--providers.ecs.refreshSeconds`; 15 s when
   * unset): a new deployment is routed, and a stopped task dropped, within this plus 2 s. Each Traefik
   * task makes one ListTasks and one DescribeTasks per interval. `cluster up` applies it.
   */
  refreshInterval: z.optional(wholeSeconds(refreshSeconds, MAX_REFRESH_SECONDS, '15s or 1m')),
});

export const configSchema = z.strictObject({
  region: z.optional(awsRegion),
  profile: z.optional(nonEmpty()),
  domain: z.optional(domainName),
  /** The default environment. */
  environment: z._default(envName, 'dev'),
  environments: z._default(namedRecord(envName, environmentSchema), {}),
  /** Checked as `app deploy` checks it (naming.ts), so no command accepts one that deploy refuses. */
  hostTemplate: z._default(
    z.string().check(
      z.superRefine((template, ctx) => {
        const problem = hostTemplateProblem(template);
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: template });
      }),
    ),
    DEFAULT_HOST_TEMPLATE,
  ),
  /** Registry host override (mirrors, emulators); by default it comes from ECR's proxyEndpoint. */
  registry: z.optional(nonEmpty()),
  apps: z._default(namedRecord(appName, appSchema), {}),
  traefik: z._default(traefikSchema, () => traefikSchema.parse({})),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type AppConfig = z.infer<typeof appSchema>;
export type EnvironmentConfig = z.infer<typeof environmentSchema>;
export type TraefikConfig = z.infer<typeof traefikSchema>;
