import { describe, expect, it } from 'vitest';

import {
  addDuration,
  checkSecretScope,
  createServiceInput,
  buildDeploymentPlan,
  updateServiceInput,
  type DeploymentPlanOptions,
} from '../../../../../src/lib/app/deploy/ecs/plan.js';
import { readDeploymentTags } from '../../../../../src/lib/ecs/tag-codec.js';
import { appSchema, type AppConfig } from '../../../../../src/lib/config/schema.js';
import { ExitCode, UserError } from '../../../../../src/lib/errors.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const REPO = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/whoami';
const EXECUTION_ROLE = 'arn:aws:iam::123456789012:role/traefikctl-dev-execution';
const CALLER = 'arn:aws:sts::123456789012:assumed-role/ci/github-actions';

function app(input: Parameters<typeof appSchema.parse>[0] = {}): AppConfig {
  return appSchema.parse(input);
}

function options(overrides: Partial<DeploymentPlanOptions> = {}): DeploymentPlanOptions {
  return {
    context: {
      env: 'dev',
      region: 'eu-west-1',
      domain: 'example.com',
      hostTemplate: '{app}-{tag}.{env}.{domain}',
      entryPoints: ['web'],
    },
    app: 'whoami',
    appConfig: app(),
    tag: 'v2',
    image: { repository: REPO, digest: DIGEST },
    cluster: {
      cluster: 'traefikctl-dev',
      subnets: ['subnet-0aaa', 'subnet-0bbb'],
      securityGroups: ['sg-0app'],
      executionRoleArn: EXECUTION_ROLE,
      logGroup: '/traefikctl/dev',
    },
    deployedBy: CALLER,
    now: new Date('2026-03-01T12:00:00.000Z'),
    ...overrides,
  };
}

function usageErrorOf(work: () => unknown): UserError {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
    return error as UserError;
  }
  throw new Error('expected a usage error');
}

describe('buildDeploymentPlan', () => {
  it('given a CI tag, a pinned image, secrets, a health check and a ttl, it plans the whole deployment', () => {
    const plan = buildDeploymentPlan(
      options({
        tag: 'feature/Login_Page',
        appConfig: app({
          port: 8080,
          cpu: 512,
          memory: 1024,
          desiredCount: 2,
          environment: { GREETING: 'hello', APP_MODE: 'preview' },
          secrets: { DB_PASSWORD: '/traefikctl/dev/apps/whoami/db-password' },
          healthCheck: { path: '/health' },
          ttl: '7d',
        }),
        cluster: { ...options().cluster, taskRoleArn: 'arn:aws:iam::123456789012:role/whoami-task' },
      }),
    );

    const name = 'whoami-feature-login-page';
    const host = 'whoami-feature-login-page.dev.example.com';
    const image = `${REPO}@${DIGEST}`;
    const labels = {
      'traefik.enable': 'true',
      'traefik.http.routers.whoami-feature-login-page.rule':
        'Host(`whoami-feature-login-page.dev.example.com`)',
      'traefik.http.routers.whoami-feature-login-page.entrypoints': 'web',
      'traefik.http.routers.whoami-feature-login-page.service': 'whoami-feature-login-page',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.server.port': '8080',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.healthcheck.path': '/health',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.healthcheck.interval': '10s',
      'traefik.http.services.whoami-feature-login-page.loadbalancer.healthcheck.timeout': '5s',
      'traefikctl.env': 'dev',
    };
    const tags = [
      { key: 'traefikctl:managed', value: 'true' },
      { key: 'traefikctl:env', value: 'dev' },
      { key: 'traefikctl:app', value: 'whoami' },
      { key: 'traefikctl:tag', value: 'feature/Login_Page' },
      { key: 'traefikctl:host', value: host },
      { key: 'traefikctl:image', value: image },
      { key: 'traefikctl:deployed-at', value: '2026-03-01T12:00:00.000Z' },
      { key: 'traefikctl:deployed-by', value: CALLER },
      { key: 'traefikctl:expires-at', value: '2026-03-08T12:00:00.000Z' },
    ];
    expect(plan).toEqual({
      app: 'whoami',
      env: 'dev',
      region: 'eu-west-1',
      tag: 'feature/Login_Page',
      tagSlug: 'feature-login-page',
      dockerTag: 'feature-login-page',
      host,
      url: `http://${host}`,
      serviceName: name,
      family: name,
      cluster: 'traefikctl-dev',
      image: { reference: image, pinned: true },
      deployedAt: '2026-03-01T12:00:00.000Z',
      deployedBy: CALLER,
      expiresAt: '2026-03-08T12:00:00.000Z',
      labels,
      tags,
      taskDefinition: {
        family: name,
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: '512',
        memory: '1024',
        runtimePlatform: { operatingSystemFamily: 'LINUX', cpuArchitecture: 'X86_64' },
        executionRoleArn: EXECUTION_ROLE,
        taskRoleArn: 'arn:aws:iam::123456789012:role/whoami-task',
        containerDefinitions: [
          {
            name: 'whoami',
            image,
            essential: true,
            memory: 1024,
            portMappings: [{ containerPort: 8080, hostPort: 8080, protocol: 'tcp' }],
            environment: [
              { name: 'APP_TAG', value: 'feature/Login_Page' },
              { name: 'APP_URL', value: `http://${host}` },
              { name: 'APP_MODE', value: 'preview' },
              { name: 'GREETING', value: 'hello' },
            ],
            secrets: [{ name: 'DB_PASSWORD', valueFrom: '/traefikctl/dev/apps/whoami/db-password' }],
            logConfiguration: {
              logDriver: 'awslogs',
              options: {
                'awslogs-group': '/traefikctl/dev',
                'awslogs-region': 'eu-west-1',
                'awslogs-stream-prefix': name,
              },
            },
            dockerLabels: labels,
          },
        ],
        tags,
      },
      service: {
        cluster: 'traefikctl-dev',
        serviceName: name,
        taskDefinition: name,
        launchType: 'FARGATE',
        desiredCount: 2,
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: ['subnet-0aaa', 'subnet-0bbb'],
            securityGroups: ['sg-0app'],
            assignPublicIp: 'DISABLED',
          },
        },
        deploymentConfiguration: {
          deploymentCircuitBreaker: {
            enable: true,
            rollback: true,
            resetOnHealthyTask: true,
            thresholdConfiguration: { type: 'COUNT', value: 2 },
          },
        },
        propagateTags: 'SERVICE',
        enableECSManagedTags: true,
        tags,
      },
      warnings: [],
    });
  });

  it('given defaults and no digest yet, the image points at the Docker tag and is marked unpinned', () => {
    const plan = buildDeploymentPlan(options({ tag: '1.2.3+build.7', image: { repository: REPO } }));
    expect(plan.image).toEqual({ reference: `${REPO}:1-2-3-build-7`, pinned: false });
    expect(plan.taskDefinition.containerDefinitions?.[0]?.image).toBe(`${REPO}:1-2-3-build-7`);
    expect(plan.tags).toContainEqual({ key: 'traefikctl:image', value: `${REPO}:1-2-3-build-7` });
    // The original tag is kept as an ECS tag value: `+` is legal there.
    expect(plan.tags).toContainEqual({ key: 'traefikctl:tag', value: '1.2.3+build.7' });
    expect(plan.host).toBe('whoami-1-2-3-build-7.dev.example.com');
  });

  it('given no ttl, nothing expires; a ttl flag overrides the app ttl', () => {
    const never = buildDeploymentPlan(options());
    expect(never.expiresAt).toBeUndefined();
    expect(never.tags.map((tag) => tag.key)).not.toContain('traefikctl:expires-at');

    const flagged = buildDeploymentPlan(options({ appConfig: app({ ttl: '2w' }), ttl: '36h' }));
    expect(flagged.expiresAt).toBe('2026-03-03T00:00:00.000Z');
    expect(flagged.service.tags).toContainEqual({
      key: 'traefikctl:expires-at',
      value: '2026-03-03T00:00:00.000Z',
    });
  });

  it('given no secrets and no health check, the container has no secrets key and no health check labels', () => {
    const plan = buildDeploymentPlan(options());
    const container = plan.taskDefinition.containerDefinitions?.[0];
    expect(container).not.toHaveProperty('secrets');
    expect(Object.keys(plan.labels).filter((key) => key.includes('healthcheck'))).toEqual([]);
    expect(plan.taskDefinition).not.toHaveProperty('taskRoleArn');
  });

  it('given https, several entry points and an arm64 app, the plan follows them', () => {
    const plan = buildDeploymentPlan(
      options({
        context: { ...options().context, scheme: 'https', entryPoints: ['web', 'websecure'] },
        appConfig: app({ platform: 'linux/arm64' }),
      }),
    );
    expect(plan.url).toBe('https://whoami-v2.dev.example.com');
    expect(plan.labels['traefik.http.routers.whoami-v2.entrypoints']).toBe('web,websecure');
    expect(plan.taskDefinition.runtimePlatform).toEqual({
      operatingSystemFamily: 'LINUX',
      cpuArchitecture: 'ARM64',
    });
  });

  it('given APP_TAG in the app environment, the deployment value wins and the plan warns', () => {
    const plan = buildDeploymentPlan(
      options({ appConfig: app({ environment: { APP_TAG: 'mine', A: '1' } }) }),
    );
    expect(plan.taskDefinition.containerDefinitions?.[0]?.environment).toEqual([
      { name: 'APP_TAG', value: 'v2' },
      { name: 'APP_URL', value: 'http://whoami-v2.dev.example.com' },
      { name: 'A', value: '1' },
    ]);
    expect(plan.warnings).toEqual([
      'apps.whoami.environment.APP_TAG is ignored: traefikctl sets APP_TAG for each deployment.',
    ]);
  });

  it('given dry-run placeholders for the cluster outputs, they appear as given', () => {
    const placeholder = '<from stack traefikctl-dev>';
    const plan = buildDeploymentPlan(
      options({
        image: { repository: '<account>.dkr.ecr.eu-west-1.amazonaws.com/whoami' },
        cluster: {
          cluster: 'traefikctl-dev',
          subnets: [placeholder],
          securityGroups: [placeholder],
          executionRoleArn: placeholder,
          logGroup: placeholder,
        },
      }),
    );
    expect(plan.service.networkConfiguration?.awsvpcConfiguration?.subnets).toEqual([placeholder]);
    expect(plan.taskDefinition.executionRoleArn).toBe(placeholder);
    expect(plan.image.pinned).toBe(false);
  });

  it('given a cluster in subnets without NAT, tasks get a public IP so they can pull images', () => {
    const base = options();
    const plan = buildDeploymentPlan({ ...base, cluster: { ...base.cluster, assignPublicIp: 'ENABLED' } });
    expect(plan.service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp).toBe('ENABLED');
    expect(
      buildDeploymentPlan(options()).service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp,
    ).toBe('DISABLED');
  });

  it('given a caller ARN with a comma, the deployed-by tag is stored encoded and reads back as the original', () => {
    const caller = 'arn:aws:sts::123456789012:assumed-role/ci/run,42';
    const plan = buildDeploymentPlan(options({ deployedBy: caller }));
    const stored = plan.tags.find((tag) => tag.key === 'traefikctl:deployed-by')?.value;
    expect(stored).toMatch(/^base64:/);
    expect(readDeploymentTags(plan.service.tags)?.deployedBy).toBe(caller);
    expect(plan.deployedBy).toBe(caller);
  });

  it.each([
    [
      { appConfig: app({ cpu: 256, memory: 4096 }) },
      "Fargate doesn't run apps.whoami with cpu 256 and memory 4096.",
      'set apps.whoami.memory to 512, 1024, 2048',
    ],
    [
      { appConfig: app({ cpu: 1024, memory: 1500 }) },
      "Fargate doesn't run apps.whoami with cpu 1024 and memory 1500.",
      'a multiple of 1024 from 2048 to 8192',
    ],
    [
      { appConfig: app({ platform: 'linux/arm/v7' }) },
      "Fargate can't run images built for linux/arm/v7",
      'linux/amd64 or linux/arm64',
    ],
    [{ tag: '///' }, 'has no letters or digits', '--tag'],
    [{ image: { repository: REPO, digest: 'sha256:nope' } }, 'is not a sha256 digest', 'sha256:<64 hex'],
    [{ ttl: 'forever' }, 'The ttl "forever" is not a duration.', '7d'],
    [
      { appConfig: app({ environment: { TOKEN: 'x' }, secrets: { TOKEN: '/traefikctl/dev/apps/t' } }) },
      'sets TOKEN both in environment and in secrets',
      'one place',
    ],
    [
      { context: { ...options().context, entryPoints: ['web,admin'] } },
      'traefik.entryPoints has "web,admin"',
      'traefik.entryPoints: [web]',
    ],
    [
      { context: { ...options().context, entryPoints: [] } },
      'traefik.entryPoints is empty',
      'traefik.entryPoints',
    ],
    [
      { tag: 'x'.repeat(300) },
      'is 300 characters long: every deployment records its tag in the ECS tag traefikctl:tag',
      'shorter --tag',
    ],
  ] satisfies [Partial<DeploymentPlanOptions>, string, string][])(
    'given input it cannot deploy (%#), it is a usage error with a fix',
    (override, message, suggestion) => {
      const error = usageErrorOf(() => buildDeploymentPlan(options(override)));
      expect(error.message).toContain(message);
      expect(error.suggestions.join(' ')).toContain(suggestion);
    },
  );
});

describe('service inputs with the registered task definition', () => {
  const arn = 'arn:aws:ecs:eu-west-1:123456789012:task-definition/whoami-v2:3';

  it('create uses the plan with the full ARN', () => {
    const plan = buildDeploymentPlan(options());
    expect(createServiceInput(plan, arn)).toEqual({ ...plan.service, taskDefinition: arn });
  });

  it('update rolls the existing service onto the ARN and always sends desiredCount', () => {
    const plan = buildDeploymentPlan(options({ appConfig: app({ desiredCount: 3 }) }));
    expect(updateServiceInput(plan, arn)).toEqual({
      cluster: 'traefikctl-dev',
      service: 'whoami-v2',
      taskDefinition: arn,
      desiredCount: 3,
      networkConfiguration: plan.service.networkConfiguration,
      deploymentConfiguration: {
        deploymentCircuitBreaker: {
          enable: true,
          rollback: true,
          resetOnHealthyTask: true,
          thresholdConfiguration: { type: 'COUNT', value: 2 },
        },
      },
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
    });
  });
});

describe('addDuration', () => {
  it.each([
    ['30s', '2026-03-01T12:00:30.000Z'],
    ['10m', '2026-03-01T12:10:00.000Z'],
    ['12h', '2026-03-02T00:00:00.000Z'],
    ['7d', '2026-03-08T12:00:00.000Z'],
    ['2w', '2026-03-15T12:00:00.000Z'],
  ])('adds %s', (duration, expected) => {
    expect(addDuration(new Date('2026-03-01T12:00:00.000Z'), duration).toISOString()).toBe(expected);
  });
});

describe('secrets the execution role can read', () => {
  const SSM = 'arn:aws:ssm:eu-west-1:123456789012:parameter';
  const SM = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret';
  const plan = (secrets: Record<string, string>, overrides: Partial<DeploymentPlanOptions> = {}) =>
    buildDeploymentPlan(options({ appConfig: app({ secrets }), ...overrides }));

  it("given names and ARNs under the env's apps prefixes, it plans them as they are", () => {
    const secrets = {
      BY_NAME: '/traefikctl/dev/apps/whoami/token',
      SSM_ARN: `${SSM}/traefikctl/dev/apps/whoami/db`,
      SM_ARN: `${SM}:traefikctl/dev/apps/whoami/api-AbCdEf`,
      SM_JSON_KEY: `${SM}:traefikctl/dev/apps/whoami/api-AbCdEf:password::`,
    };

    const container = plan(secrets).taskDefinition.containerDefinitions?.[0];

    expect(container?.secrets).toEqual(
      Object.entries(secrets)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([name, valueFrom]) => ({ name, valueFrom })),
    );
  });

  it.each([
    ['/whoami/db-password', 'is not under /traefikctl/dev/apps/'],
    ['/traefikctl/staging/apps/whoami/db', 'is not under /traefikctl/dev/apps/'],
    ['/traefikctl/dev/apps/', 'is not under /traefikctl/dev/apps/'],
    ['/traefikctl/dev/traefik-api-password', 'is not under /traefikctl/dev/apps/'],
    [`${SSM}/whoami/db`, 'is not an SSM parameter under /traefikctl/dev/apps/'],
    [`${SM}:whoami/db-AbCdEf`, 'is not a Secrets Manager secret under traefikctl/dev/apps/'],
    [`${SM}:traefikctl/prod/apps/db-AbCdEf`, 'is not a Secrets Manager secret under traefikctl/dev/apps/'],
    ['arn:aws:s3:::bucket/traefikctl/dev/apps/x', 'is neither an SSM parameter nor a Secrets Manager secret'],
    ['arn:aws:ssm', 'is not a complete ARN'],
    [
      'arn:aws:ssm:us-east-1:123456789012:parameter/traefikctl/dev/apps/x',
      "is in region us-east-1, not in the deployment's eu-west-1",
    ],
    [
      'arn:aws:secretsmanager:eu-west-1:999999999999:secret:traefikctl/dev/apps/x-AbCdEf',
      "is in account 999999999999, not in the cluster's account 123456789012",
    ],
  ])('given %s, it is a usage error naming the key and the allowed prefixes', (valueFrom, why) => {
    const error = usageErrorOf(() => plan({ GOOD: '/traefikctl/dev/apps/ok', DB_PASSWORD: valueFrom }));

    expect(error.code).toBe('SECRET_NOT_READABLE');
    expect(error.message).toBe(
      `The tasks of env dev can't read this secret: apps.whoami.secrets.DB_PASSWORD (${valueFrom}) ${why}. ` +
        "The cluster's execution role reads only SSM parameters under /traefikctl/dev/apps/ and Secrets Manager " +
        'secrets under traefikctl/dev/apps/, in eu-west-1 and account 123456789012.',
    );
    expect(error.suggestions).toEqual([
      'Store the value under /traefikctl/dev/apps/, e.g. /traefikctl/dev/apps/whoami/DB_PASSWORD, and set apps.whoami.secrets.DB_PASSWORD to /traefikctl/{env}/apps/whoami/DB_PASSWORD ({env} stands for the env deployed to).',
      'Or keep it in Secrets Manager as traefikctl/dev/apps/whoami/DB_PASSWORD and set apps.whoami.secrets.DB_PASSWORD to its ARN.',
    ]);
  });

  it('reads {env} in a secret as the env deployed to, so one apps block serves every env', () => {
    // given secrets written once for all envs
    const secrets = {
      DB: '/traefikctl/{env}/apps/whoami/db',
      API: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:traefikctl/{env}/apps/whoami/api-AbCdEf`,
    };

    // when planned for staging
    const staging = plan(secrets, { context: { ...options().context, env: 'staging' } });

    // then the tasks read staging's own secrets
    expect(staging.taskDefinition.containerDefinitions?.[0]?.secrets).toEqual([
      {
        name: 'API',
        valueFrom:
          'arn:aws:secretsmanager:eu-west-1:123456789012:secret:traefikctl/staging/apps/whoami/api-AbCdEf',
      },
      { name: 'DB', valueFrom: '/traefikctl/staging/apps/whoami/db' },
    ]);
  });

  it('lists every secret it refuses, and leaves region and account unchecked while the role is a placeholder', () => {
    // given the stand-ins a dry run uses before it reads the stack (no account known)
    const cluster = { region: 'us-east-1', executionRoleArn: '<execution role of stack traefikctl-dev>' };

    // then an ARN from any region passes, and only the paths are checked
    expect(() =>
      checkSecretScope(
        'whoami',
        { A: 'arn:aws:ssm:ap-south-1:1:parameter/traefikctl/dev/apps/a' },
        'dev',
        cluster,
      ),
    ).not.toThrow();
    const error = usageErrorOf(() =>
      checkSecretScope('whoami', { A: '/a', B: '/traefikctl/dev/apps/b', C: '/c' }, 'dev', cluster),
    );
    expect(error.message).toContain(
      "can't read these secrets: apps.whoami.secrets.A (/a) is not under /traefikctl/dev/apps/; apps.whoami.secrets.C (/c) is not under /traefikctl/dev/apps/. ",
    );
    expect(error.message).toMatch(/secrets under traefikctl\/dev\/apps\/\.$/);
  });
});
