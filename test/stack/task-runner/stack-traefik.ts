/**
 * `scripts/test-stack.sh traefik --env <env>` runs the stack's real Traefik the way ECS runs the
 * Traefik task of `traefikctl cluster up`: with the arguments of the CloudFormation stack's
 * `TraefikArguments` parameter (what the template splits into the container's command). This reads
 * them from moto's CloudFormation and changes only what must change on this machine:
 *
 * - every `--entryPoints.<name>.address=:<port>` gets a free 127.0.0.1 port instead (`:80` needs root,
 *   listens on every interface, and two envs would collide);
 * - `--providers.ecs.refreshSeconds` becomes 1, so that a deployment is routed within a second or two;
 * - `--global.checkNewVersion=false --global.sendAnonymousUsage=false`, whatever the stack says.
 *
 * It prints, one per line, for the script to read: `cluster=<ClusterName>`, `entrypoint=<the
 * EntryPoint parameter>`, `port.<entry point>=<port>` for each entry point, then `arg=<argument>` for
 * each argument in order. No dependencies; Node runs this file as it is.
 *
 * Usage: node stack-traefik.ts --moto http://127.0.0.1:5055 --region us-east-1 --env dev
 */
import { createServer, type Server } from 'node:net';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    moto: { type: 'string', default: 'http://127.0.0.1:5055' },
    region: { type: 'string', default: 'us-east-1' },
    env: { type: 'string' },
    stack: { type: 'string' },
  },
});

const motoUrl = new URL(options.moto);
if (!/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(motoUrl.hostname)) fail(`--moto must be a loopback URL.`);
if (options.env === undefined || !/^[a-z][a-z0-9-]{0,19}$/.test(options.env))
  fail('--env <env> is required.');
// cluster up names the stack `traefikctl-<env>` (src/lib/cluster/outputs.ts stackNameFor).
const stackName = options.stack ?? `traefikctl-${options.env}`;

const ENTRY_POINT_ADDRESS = /^--entrypoints\.([^.=]+)\.address=/i;
const REFRESH = /^--providers\.ecs\.refreshseconds=/i;
const NEVER_CALL_HOME = ['--global.checkNewVersion=false', '--global.sendAnonymousUsage=false'];

const parameters = await stackParameters(stackName);
const traefikArguments = parameters.get('TraefikArguments');
if (traefikArguments === undefined || traefikArguments === '')
  fail(`The stack ${stackName} has no TraefikArguments parameter: is it a cluster up stack?`);
const args = traefikArguments.split(' ').filter((arg) => arg !== '');

const entryPoints = args
  .map((arg) => ENTRY_POINT_ADDRESS.exec(arg)?.[1])
  .filter((name): name is string => name !== undefined);
const ports = await freePorts(entryPoints.length);
const portOf = new Map(entryPoints.map((name, index) => [name, ports[index] ?? 0]));

const changed = args
  .filter((arg) => !NEVER_CALL_HOME.some((fixed) => arg.split('=')[0] === fixed.split('=')[0]))
  .map((arg) => {
    const name = ENTRY_POINT_ADDRESS.exec(arg)?.[1];
    if (name !== undefined) return `--entryPoints.${name}.address=127.0.0.1:${portOf.get(name) ?? 0}`;
    if (REFRESH.test(arg)) return '--providers.ecs.refreshSeconds=1';
    return arg;
  });
if (!changed.some((arg) => REFRESH.test(arg))) changed.push('--providers.ecs.refreshSeconds=1');
changed.push(...NEVER_CALL_HOME);

const lines = [
  `cluster=${parameters.get('ClusterName') ?? ''}`,
  `entrypoint=${parameters.get('EntryPoint') || 'web'}`,
  ...[...portOf].map(([name, port]) => `port.${name}=${port}`),
  ...changed.map((arg) => `arg=${arg}`),
];
process.stdout.write(`${lines.join('\n')}\n`);

/** DescribeStacks through moto's query API (moto picks CloudFormation from the credential scope). */
async function stackParameters(name: string): Promise<Map<string, string>> {
  const response = await fetch(motoUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${options.region}/cloudformation/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: new URLSearchParams({ Action: 'DescribeStacks', Version: '2010-05-15', StackName: name }),
    signal: AbortSignal.timeout(10_000),
  }).catch((error: unknown) => fail(`moto at ${motoUrl.origin} did not answer: ${String(error)}`));
  const text = await response.text();
  if (!response.ok) {
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? text.slice(0, 300);
    fail(`DescribeStacks ${name} answered ${response.status}: ${xmlText(message)}`);
  }
  const found = new Map<string, string>();
  const member =
    /<member>\s*<ParameterKey>([^<]*)<\/ParameterKey>\s*(?:<ParameterValue>([^<]*)<\/ParameterValue>|<ParameterValue\/>)/g;
  for (const match of text.matchAll(member)) found.set(xmlText(match[1] ?? ''), xmlText(match[2] ?? ''));
  return found;
}

function xmlText(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, entity: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (entity.startsWith('#x') || entity.startsWith('#X'))
      return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return named[entity.toLowerCase()] ?? '';
  });
}

/** `count` different ports that were free a moment ago on 127.0.0.1 (held open together, then released). */
async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  const ports: number[] = [];
  for (let index = 0; index < count; index++) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    servers.push(server);
    const address = server.address();
    ports.push(typeof address === 'object' && address !== null ? address.port : 0);
  }
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}

function fail(message: string): never {
  process.stderr.write(`stack-traefik: ${message}\n`);
  process.exit(2);
}
