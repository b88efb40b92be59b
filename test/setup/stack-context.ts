/**
 * What the global setup found out about the test stack, handed to every integration test file
 * through vitest's provide/inject. Shared by test/setup/* and test/support/stack.ts.
 */

/**
 * - registry: the ECR bridge on 127.0.0.1:5000 in front of the registry (a push is registered in
 *   moto's ECR), with moto's ECR credentials.
 * - traefik: the Traefik v3 binary the stack builds from the Go module proxy (not a daemon: tests
 *   start it themselves, see test/support/traefik-process.ts), and its FROM-scratch image.
 * - runner: the task runner on 127.0.0.1:5056 (test/stack/task-runner), in front of moto's ECS: it
 *   runs services' tasks as real containers, each on its own loopback address. Only a client that
 *   opts in reaches it (an ECS client with `endpoint: stack.runnerUrl`, or AWS_ENDPOINT_URL_ECS in a
 *   child's env): AWS_ENDPOINT_URL_* from the shell are stripped from every test (test-env.ts).
 */
export type StackComponent = 'docker' | 'registry' | 'moto' | 'traefik' | 'runner';

export const STACK_COMPONENTS: readonly StackComponent[] = [
  'docker',
  'registry',
  'moto',
  'traefik',
  'runner',
];

/** moto's default account: STS answers with it and ECR's auth token is `AWS:<account>-auth-token`. */
export const MOTO_ACCOUNT_ID = '123456789012';

export interface TestStackInfo {
  /** moto_server, e.g. http://127.0.0.1:5055; AWS_ENDPOINT_URL points here in every test. */
  motoUrl: string;
  /** The task runner's ECS endpoint (and admin API under /_runner/), e.g. http://127.0.0.1:5056. */
  runnerUrl: string;
  /** The registry as `host:port` (127.0.0.1:5000), the way image references name it. */
  registry: string;
  /** The registry's htpasswd login: exactly what moto's ECR GetAuthorizationToken returns. */
  registryAuth: { username: string; password: string };
  /** DOCKER_HOST of the test engine. */
  dockerHost: string;
  /**
   * The Traefik binary and image of the stack (`TRAEFIKCTL_TEST_TRAEFIK`, `TRAEFIKCTL_TEST_TRAEFIK_IMAGE`
   * from `scripts/test-stack.sh env`), and the version the binary reports (`v3.6.x`).
   */
  traefik: { binary: string; image: string; version: string };
  /** A statically linked busybox to copy into FROM-scratch test images, if one is installed. */
  busybox: string | null;
  /** The environment every test runs with; pass it on to child processes you spawn. */
  awsEnv: Record<string, string>;
  /** Each component that does not answer, with the reason. Empty when the stack is complete. */
  missing: Partial<Record<StackComponent, string>>;
}

declare module 'vitest' {
  interface ProvidedContext {
    testStack: TestStackInfo;
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Tests talk to 127.0.0.1 only: an override that points anywhere else is refused outright. */
function loopbackUrl(name: string, value: string): string {
  const url = new URL(value);
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    throw new Error(`${name}=${value} is not a loopback address; tests only talk to 127.0.0.1.`);
  }
  return value.replace(/\/+$/, '');
}

/**
 * The stack's addresses: scripts/test-stack.sh's fixed ports, overridable with the variables that
 * `scripts/test-stack.sh env` prints. AWS_ENDPOINT_URL from the shell is deliberately NOT read: a
 * developer's own endpoint must never receive test traffic.
 */
export function stackAddresses(
  env: NodeJS.ProcessEnv = process.env,
): Omit<TestStackInfo, 'busybox' | 'missing' | 'traefik'> {
  const motoUrl = loopbackUrl(
    'TRAEFIKCTL_TEST_MOTO_URL',
    env.TRAEFIKCTL_TEST_MOTO_URL ?? 'http://127.0.0.1:5055',
  );
  const runnerUrl = loopbackUrl(
    'TRAEFIKCTL_TEST_RUNNER_URL',
    env.TRAEFIKCTL_TEST_RUNNER_URL ?? 'http://127.0.0.1:5056',
  );
  const registry = env.TRAEFIKCTL_TEST_REGISTRY ?? '127.0.0.1:5000';
  loopbackUrl('TRAEFIKCTL_TEST_REGISTRY', `http://${registry}`);
  const dockerHost = env.DOCKER_HOST ?? 'unix:///var/run/docker.sock';
  if (!dockerHost.startsWith('unix://')) loopbackUrl('DOCKER_HOST', dockerHost.replace(/^tcp:/, 'http:'));
  return {
    motoUrl,
    runnerUrl,
    registry,
    registryAuth: { username: 'AWS', password: `${MOTO_ACCOUNT_ID}-auth-token` },
    dockerHost,
    awsEnv: {
      AWS_ENDPOINT_URL: motoUrl,
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
      AWS_REGION: 'us-east-1',
      // The credential chain must never fall through to the instance metadata address.
      AWS_EC2_METADATA_DISABLED: 'true',
      DOCKER_HOST: dockerHost,
      TRAEFIKCTL_TEST_MOTO_URL: motoUrl,
      TRAEFIKCTL_TEST_REGISTRY: registry,
      // oclif's update check would ask the npm registry from every spawned bin/run.js.
      TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: 'true',
    },
  };
}

/** Variables from the developer's shell that could send a test's AWS call somewhere else. */
export function strayAwsVariables(env: NodeJS.ProcessEnv): string[] {
  return Object.keys(env).filter(
    (name) =>
      name.startsWith('AWS_ENDPOINT_URL_') ||
      ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'AWS_SESSION_TOKEN', 'AWS_DEFAULT_REGION'].includes(name),
  );
}
