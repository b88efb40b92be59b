import { writeFile } from 'node:fs/promises';
import path from 'node:path';

import { parse } from 'yaml';

import { usageError } from '../errors.js';
import { detectAppName } from '../config/app-name.js';
import { expectedOf, describeFound, VALIDATION_PARAMS } from '../config/issues.js';
import { DEFAULT_CONFIG_FILE, displayPath, findConfigInDir } from '../config/load.js';
import { appSchema, configSchema, traefikSchema } from '../config/schema.js';

/** What `traefikctl init` asks for; everything else in the file is a default. */
export interface InitAnswers {
  domain: string;
  /** Left out: the file shows `region` commented out and the AWS SDK resolves it. */
  region?: string | undefined;
  env: string;
  app: string;
}

export type InitField = keyof InitAnswers;

export const INIT_FIELDS: readonly InitField[] = ['domain', 'region', 'env', 'app'];

/** Starting values for the questions: what the flags say, else what the directory suggests. */
export async function suggestAnswers(
  cwd: string,
  given: Partial<Record<InitField, string | undefined>>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Partial<InitAnswers>> {
  const region = given.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const app = given.app ?? (await detectAppName(cwd));
  return {
    ...(given.domain === undefined ? {} : { domain: given.domain }),
    ...(region === undefined || region === '' ? {} : { region }),
    env: given.env ?? 'dev',
    ...(app === undefined ? {} : { app }),
  };
}

/**
 * Why an answer is not acceptable (`a lowercase domain such as example.com`), or undefined when
 * it is. The config schema decides, so init never writes a file that does not load back.
 */
export function answerProblem(field: InitField, value: string): string | undefined {
  const probe =
    field === 'domain'
      ? { domain: value }
      : field === 'region'
        ? { region: value }
        : field === 'env'
          ? { environment: value }
          : { apps: { [value]: {} } };
  const parsed = configSchema.safeParse(probe, VALIDATION_PARAMS);
  const issue = parsed.error?.issues[0];
  return issue === undefined ? undefined : expectedOf(issue, configSchema);
}

/** Checks answers that came from flags: one usage error naming every bad flag. */
export function checkAnswers(answers: Partial<Record<InitField, string | undefined>>): void {
  const problems = INIT_FIELDS.flatMap((field) => {
    const value = answers[field];
    if (value === undefined) return [];
    const problem = answerProblem(field, value);
    return problem === undefined ? [] : [`--${field} must be ${problem}, found ${describeFound(value)}.`];
  });
  if (problems.length > 0) throw usageError(problems.join('\n'), [], 'INIT_INVALID');
}

export interface WriteConfigOptions {
  cwd: string;
  answers: InitAnswers;
  /** Replace an existing traefikctl.config.yaml. */
  force?: boolean;
}

export interface WrittenConfig {
  filepath: string;
  /** True when an existing file was replaced (--force). */
  replaced: boolean;
}

/**
 * Where init would write, or a usage error when it must not: another configuration file already
 * configures this directory, or traefikctl.config.yaml exists and `force` is not set. Called
 * before any question is asked, so nobody answers questions for nothing.
 */
export async function checkWritable(
  cwd: string,
  force = false,
): Promise<{ filepath: string; exists: boolean }> {
  const dir = path.resolve(cwd);
  const filepath = path.join(dir, DEFAULT_CONFIG_FILE);
  const existing = await findConfigInDir(dir);
  if (existing !== undefined && existing !== filepath) {
    const base = path.basename(existing);
    throw usageError(
      `This directory already has a traefikctl configuration: ${base === 'package.json' ? 'package.json (its traefikctl key)' : base}.`,
      [
        `Edit ${base}, or remove it and run traefikctl init again (--force only replaces ${DEFAULT_CONFIG_FILE}).`,
      ],
      'CONFIG_EXISTS',
    );
  }
  if (existing !== undefined && !force) throw alreadyExists(filepath, dir);
  return { filepath, exists: existing !== undefined };
}

/** Writes a commented traefikctl.config.yaml in `cwd`; refuses to replace one without `force`. */
export async function writeConfig(options: WriteConfigOptions): Promise<WrittenConfig> {
  const force = options.force === true;
  const { filepath, exists } = await checkWritable(options.cwd, force);
  try {
    await writeFile(filepath, renderConfig(options.answers), { flag: force ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw alreadyExists(filepath, path.dirname(filepath));
    throw error;
  }
  return { filepath, replaced: exists };
}

/** What to run after init, one command a line, for stderr. */
export function nextSteps(answers: InitAnswers): string[] {
  const host = configSchema
    .parse({})
    .hostTemplate.replace('{app}', answers.app)
    .replace('{tag}', 'v1')
    .replace('{env}', answers.env)
    .replace('{domain}', answers.domain);
  return [
    `traefikctl cluster up --env ${answers.env}`,
    `traefikctl image push ${answers.app} --tag v1`,
    `traefikctl app deploy ${answers.app} --tag v1    # http://${host}`,
  ];
}

function alreadyExists(filepath: string, cwd: string) {
  return usageError(
    `${displayPath(filepath, cwd)} already exists.`,
    ['Edit it, or pass --force to replace it with a fresh one.'],
    'CONFIG_EXISTS',
  );
}

/**
 * The file `init` writes: every key with a one-line comment, optional keys commented out with an
 * example value that is valid once uncommented. Defaults come from the schema so they never drift.
 */
export function renderConfig(answers: InitAnswers): string {
  const app = appSchema.parse({});
  const traefik = traefikSchema.parse({});
  const { hostTemplate } = configSchema.parse({});
  const { domain, env } = answers;
  const name = answers.app;
  const region = answers.region ?? 'eu-west-1';
  const optional = (on: boolean, line: string): string => (on ? line : line.replace(/^(\s*)/, '$1# '));

  return `# traefikctl configuration, written by \`traefikctl init\`.
# Any string may use \${VAR} or \${VAR:-default} from the environment; $\${ is a literal \${.
# Flags (--env, --region, --profile) and TRAEFIKCTL_ENV, AWS_REGION, AWS_PROFILE override this file.

# The AWS region of the cluster and the ECR repositories.
${optional(answers.region !== undefined, `region: ${scalar(region)}`)}
# The AWS profile to use (by default, the SDK's credential chain).
# profile: my-profile
# The domain under which every deployment gets its own hostname.
domain: ${scalar(domain)}
# The environment that commands act on when --env is not given.
environment: ${scalar(env)}
# The hostname of a deployment; {app}, {tag}, {env} and {domain} are filled in.
hostTemplate: ${JSON.stringify(hostTemplate)}
# A registry host for mirrors or emulators (by default, the account's ECR endpoint).
# registry: 123456789012.dkr.ecr.${region}.amazonaws.com

# The environments that --env may name; their keys override the top-level ones.
environments:
  # The settings of the ${env} environment.
  ${scalar(env)}:
    # The ECS cluster that \`traefikctl cluster up --env ${env}\` creates.
    cluster: ${scalar(`traefikctl-${env}`)}
    # A domain for this environment only.
    # domain: ${env}.${domain}
    # A region for this environment only.
    # region: ${region}
    # A profile for this environment only.
    # profile: my-profile
    # An existing VPC for the cluster (by default, \`cluster up\` creates the network).
    # vpc: vpc-0abc123
    # The subnets for Traefik and the apps.
    # subnets:
    #   - subnet-0abc123
    # The security groups of the apps' tasks.
    # securityGroups:
    #   - sg-0abc123
    # An ACM certificate, to serve HTTPS on the load balancer.
    # certificateArn: arn:aws:acm:${region}:123456789012:certificate/00000000-0000-0000-0000-000000000000
    # A Route53 hosted zone for the wildcard record *.${env}.${domain}.
    # hostedZoneId: Z0123456789ABCDEFGHIJ

# The apps that traefikctl builds and deploys, one entry each.
apps:
  # The settings of ${name}, the app in this directory.
  ${scalar(name)}:
    # The Docker build context, relative to this file.
    context: ${scalar(app.context)}
    # The Dockerfile, relative to the build context.
    dockerfile: ${scalar(app.dockerfile)}
    # The ECR repository (by default, the app name).
    # repository: ${name}
    # The platform to build for.
    platform: ${scalar(app.platform)}
    # Build arguments for docker build.
    # buildArgs:
    #   NODE_ENV: production
    # Whether a tag may be pushed again to ECR (MUTABLE or IMMUTABLE).
    tagMutability: ${app.tagMutability}
    # The port the container listens on.
    port: ${app.port}
    # Fargate CPU units (256, 512, 1024, 2048 or 4096).
    cpu: ${app.cpu}
    # Memory in MiB (512 to 30720, within what the CPU size allows).
    memory: ${app.memory}
    # Environment variables of the container.
    # environment:
    #   LOG_LEVEL: info
    # Secrets from SSM Parameter Store or Secrets Manager, as environment variables; the tasks can
    # read only names under /traefikctl/{env}/apps/ ({env} is the env deployed to).
    # secrets:
    #   API_TOKEN: /traefikctl/{env}/apps/${name}/api-token
    # The health check that Traefik runs against each task.
    # healthCheck:
    #   path: /health
    #   interval: 10s
    #   timeout: 5s
    # The number of tasks per deployment.
    desiredCount: ${app.desiredCount}
    # How long a deployment lives; \`traefikctl app prune --expired\` removes older ones.
    # ttl: 7d

# Traefik, as \`traefikctl cluster up\` runs it.
traefik:
  # The Traefik image.
  image: ${scalar(traefik.image)}
  # The Traefik API (by default, https://traefik.<env>.<domain>).
  # apiUrl: https://traefik.${env}.${domain}
  # The API user for basic authentication.
  username: ${scalar(traefik.username)}
  # The SSM SecureString that holds the API password (by default, /traefikctl/<env>/traefik-api-password).
  # passwordParameter: /traefikctl/${env}/traefik-api-password
  # The entry points that the routers of deployments listen on.
  entryPoints:
${traefik.entryPoints.map((entryPoint) => `    - ${scalar(entryPoint)}`).join('\n')}
`;
}

/** A YAML scalar for a value: plain when that reads back as the same string, quoted otherwise. */
function scalar(value: string): string {
  let readBack: unknown;
  try {
    readBack = parse(value);
  } catch {
    readBack = undefined;
  }
  return readBack === value && !/[#\n]/.test(value) ? value : JSON.stringify(value);
}
