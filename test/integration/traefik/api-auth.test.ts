/**
 * The API router `cluster up` puts on Traefik's own ECS task (dockerLabels in assets/traefik/cluster.yaml)
 * protects the real Traefik v3's API with the hash `cluster up` makes (bcryptjs, API_PASSWORD_COST): the labels are read from
 * the template itself, parameters substituted as CloudFormation would, and carried by a container that
 * the Docker provider reads with the same label grammar as the ECS provider (shared/notes/traefik.md §5).
 * A 200 for the right password is Go's bcrypt accepting src/lib/cluster/password.ts's hash.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';

import { API_PASSWORD_COST, generatePassword, hashApiPassword } from '../../../src/lib/cluster/password.js';
import { loadClusterTemplate } from '../../../src/lib/cluster/template.js';
import { renderTraefikArguments } from '../../../src/lib/cluster/traefik-command.js';
import { traefikSchema } from '../../../src/lib/config/schema.js';
import { ENV_LABEL } from '../../../src/lib/labels.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startTraefik, type RunningTraefik } from '../../support/traefik-process.js';
import { answerFor, DockerFixture, getWithHost, type HttpAnswer } from './support.js';

/** CloudFormation's short forms (`!Ref X`, `!Sub '…'`) as their long forms (`{ Ref: X }`). */
const INTRINSICS = ['Ref', 'Sub', 'GetAtt', 'If', 'Not', 'Equals', 'Join', 'Split', 'Select', 'And', 'Or'];
const customTags: (ScalarTag | CollectionTag)[] = INTRINSICS.flatMap((name) => {
  const key = name === 'Ref' ? name : `Fn::${name}`;
  return [
    { tag: `!${name}`, resolve: (value: string) => ({ [key]: value }) },
    {
      tag: `!${name}`,
      collection: 'seq' as const,
      resolve: (value: { toJSON(): unknown }) => ({ [key]: value.toJSON() }),
    },
  ];
});

interface ClusterTemplate {
  Parameters: Record<string, { Default?: unknown; AllowedPattern?: string }>;
  Resources: {
    TraefikTaskDefinition: {
      Properties: { ContainerDefinitions: { Name: string; DockerLabels?: Record<string, unknown> }[] };
    };
  };
}

/** A label value as CloudFormation resolves it: a plain string, `!Ref P`, or `!Sub` of `${P}`s. */
function resolveLabel(key: string, value: unknown, parameters: Readonly<Record<string, string>>): string {
  const parameter = (name: string): string => {
    const found = parameters[name];
    if (found === undefined)
      throw new Error(`The label ${key} needs the parameter ${name}, which the test lacks`);
    return found;
  };
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    const { Ref: ref, 'Fn::Sub': sub } = value as { Ref?: unknown; 'Fn::Sub'?: unknown };
    if (typeof ref === 'string') return parameter(ref);
    if (typeof sub === 'string')
      return sub.replace(/\$\{([A-Za-z0-9]+)\}/g, (_whole, name: string) => parameter(name));
  }
  throw new Error(`The label ${key} has a form this test can't resolve: ${JSON.stringify(value)}`);
}

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * A busybox `nc` answer that echoes the request head it received: what Traefik forwarded, headers
 * included. busybox httpd can't serve as one, as it keeps an Authorization header from CGI scripts.
 */
const ECHO_REQUEST_HEAD = `cr=$(printf '\\r')
head=''
while read -r line; do
  [ "$line" = "$cr" ] || [ -z "$line" ] && break
  head="$head\${line%"$cr"}
"
done
printf 'HTTP/1.0 200 OK\\r\\nContent-Type: text/plain\\r\\nConnection: close\\r\\n\\r\\n%s' "$head"
`;

describeWith(['traefik', 'docker'], "the API behind cluster up's basic auth on the real Traefik", (stack) => {
  const env = uniqueName('tr');
  const domain = 'example.com';
  const apiHost = `traefik.${env}.${domain}`;
  const { username, entryPoints } = traefikSchema.parse({});
  const password = generatePassword();
  const docker = new DockerFixture(stack, uniqueName('traefik-api-auth'));
  let traefik: RunningTraefik | undefined;
  let hash: string;
  let template: ClusterTemplate;
  let labels: Record<string, string>;

  // cluster up's API options, whatever they are; the API router is what makes the API reachable.
  const apiArgs = renderTraefikArguments({
    cluster: 'traefikctl-dev',
    region: 'us-east-1',
    env,
    entryPoint: entryPoints[0] ?? 'web',
    trustedIps: ['172.31.0.0/16'],
  }).filter((arg) => arg.startsWith('--api'));
  // and its metrics options (manualRouting: /metrics only where the template's router puts it)
  const metricsArgs = renderTraefikArguments({
    cluster: 'traefikctl-dev',
    region: 'us-east-1',
    env,
    entryPoint: entryPoints[0] ?? 'web',
    trustedIps: ['172.31.0.0/16'],
  }).filter((arg) => arg.startsWith('--metrics'));

  const web = (): string => {
    if (traefik === undefined) throw new Error('Traefik did not start');
    return traefik.url('web');
  };
  const api = (path: string, headers: Record<string, string> = {}, host = apiHost): Promise<HttpAnswer> =>
    getWithHost(`${web()}${path}`, host, headers);

  beforeAll(async () => {
    template = parse(await loadClusterTemplate(), { customTags }) as ClusterTemplate;
    // As cluster up hashes the password it keeps in SSM.
    hash = await hashApiPassword(password);
    const [traefikContainer] = template.Resources.TraefikTaskDefinition.Properties.ContainerDefinitions;
    const parameters = {
      Env: env,
      Domain: domain,
      EntryPoint: entryPoints[0] ?? 'web',
      ApiUsername: username,
      ApiPasswordHash: hash,
    };
    labels = Object.fromEntries(
      Object.entries(traefikContainer?.DockerLabels ?? {}).map(([key, value]) => [
        key,
        resolveLabel(key, value, parameters),
      ]),
    );

    await docker.setUp();
    // The labels of Traefik's own task, on a container of the test image (the Docker provider needs
    // one that runs and exposes a port, as the task does).
    await docker.run({ name: uniqueName('traefik-task'), labels });
    // A second router through the same middleware, to an app that shows what it receives; test-only.
    await docker.run({
      name: uniqueName('headers-echo'),
      labels: {
        'traefik.enable': 'true',
        [ENV_LABEL]: env,
        'traefik.http.routers.headers-echo.rule': `Host(\`echo.${env}.${domain}\`)`,
        'traefik.http.routers.headers-echo.entrypoints': entryPoints[0] ?? 'web',
        'traefik.http.routers.headers-echo.middlewares': 'traefikctl-api-auth',
        'traefik.http.routers.headers-echo.service': 'headers-echo',
        'traefik.http.services.headers-echo.loadbalancer.server.port': '80',
      },
      env: { ECHO_REQUEST_HEAD },
      shell:
        'printf "%s" "$ECHO_REQUEST_HEAD" > /echo && exec /bin/busybox nc -ll -p 80 -e /bin/busybox sh /echo',
    });
    traefik = await startTraefik(stack, {
      entryPoints: [entryPoints[0] ?? 'web', 'traefik'],
      args: [
        '--ping=true',
        ...apiArgs,
        ...metricsArgs,
        '--providers.docker=true',
        `--providers.docker.endpoint=${stack.dockerHost}`,
        '--providers.docker.exposedByDefault=false',
        `--providers.docker.network=${docker.network}`,
        `--providers.docker.constraints=Label(\`${ENV_LABEL}\`,\`${env}\`)`,
      ],
    });
    // Routed once the router answers at all: a 401 means Traefik has read the labels.
    await answerFor(`${web()}/api/version`, apiHost, 401);
  });

  afterAll(async () => {
    await traefik?.stop();
    await docker.cleanUp();
  });

  it('takes the API router from the template with our bcrypt hash in it', () => {
    // given the template's labels with the parameters cluster up sends
    // then they name the API host, api@internal and the basic auth of our user and hash
    expect(labels).toMatchObject({
      'traefik.enable': 'true',
      [ENV_LABEL]: env,
      'traefik.http.routers.traefikctl-api.rule': `Host(\`${apiHost}\`) && (PathPrefix(\`/api\`) || PathPrefix(\`/dashboard\`))`,
      'traefik.http.routers.traefikctl-api.service': 'api@internal',
      'traefik.http.middlewares.traefikctl-api-auth.basicauth.users': `${username}:${hash}`,
    });
    // and CloudFormation would take the hash (the parameter's AllowedPattern), at the chosen cost
    const pattern = template.Parameters.ApiPasswordHash?.AllowedPattern ?? '';
    expect(hash).toMatch(new RegExp(pattern));
    expect(hash.startsWith(`$2b$${String(API_PASSWORD_COST).padStart(2, '0')}$`)).toBe(true);
    // and cluster up does not expose the API another way
    expect(apiArgs).not.toContain('--api.insecure=true');
  });

  it('refuses the API without a password, with a wrong one, and for another user', async () => {
    // when the API is asked without credentials, with a wrong password, and as another user
    const none = await api('/api/version');
    const wrong = await api('/api/version', { authorization: basic(username, `${password}x`) });
    const otherUser = await api('/api/version', { authorization: basic(`${username}x`, password) });

    // then each is refused with a Basic challenge and none of the API's data
    for (const answer of [none, wrong, otherUser]) {
      expect(answer.status).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Basic realm=/);
      expect(answer.body).not.toContain('Version');
    }
  });

  it("answers the API for the right password: Go's bcrypt accepts our hash", async () => {
    // when the API is asked with the password whose hash the labels carry
    const version = await api('/api/version', { authorization: basic(username, password) });
    const routers = await api('/api/http/routers', { authorization: basic(username, password) });

    // then it answers with the stack's Traefik version
    expect(version.status).toBe(200);
    expect(JSON.parse(version.body)).toMatchObject({ Version: stack.traefik.version });
    // and lists its own router, behind the middleware
    expect(routers.status).toBe(200);
    expect(JSON.parse(routers.body)).toContainEqual(
      expect.objectContaining({
        name: 'traefikctl-api@docker',
        service: 'api@internal',
        middlewares: ['traefikctl-api-auth@docker'],
        status: 'enabled',
      }),
    );
  });

  it('serves nothing else on the API host, and no API on another host or unauthenticated entry point', async () => {
    // when the right credentials go to a path outside /api and /dashboard, and to another host
    const authorization = basic(username, password);
    const outside = await api('/ping', { authorization });
    const elsewhere = await api('/api/version', { authorization }, `whoami-v1.${env}.${domain}`);
    // and when the API is asked for on Traefik's internal entry point (where api.insecure would put it)
    const internal = await fetch(`${traefik?.url('traefik') ?? ''}/api/version`, {
      signal: AbortSignal.timeout(3_000),
    });

    // then none of them reaches the API
    expect(outside.status).toBe(404);
    expect(elsewhere.status).toBe(404);
    expect(internal.status).toBe(404);
  });

  it('serves /metrics on the API host only with the password, and nowhere unauthenticated', async () => {
    // given one request through an app's router (Traefik counts no traffic to its own @internal services)
    await answerFor(`${web()}/echo`, `echo.${env}.${domain}`, 200, {
      authorization: basic(username, password),
    });
    // when /metrics is asked on the API host without credentials, with a wrong password, and with the right one
    const none = await api('/metrics');
    const wrong = await api('/metrics', { authorization: basic(username, `${password}x`) });
    const right = await api('/metrics', { authorization: basic(username, password) });
    // and on Traefik's internal entry point, where Traefik serves it unless routing is manual
    const internal = await fetch(`${traefik?.url('traefik') ?? ''}/metrics`, {
      signal: AbortSignal.timeout(3_000),
    });

    // then only the password gets the Prometheus text, with router and service labels
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(none.body).not.toContain('traefik_');
    expect(right.status).toBe(200);
    expect(right.headers['content-type']).toMatch(/^text\/plain/);
    expect(right.body).toContain('# TYPE traefik_router_requests_total counter');
    expect(right.body).toMatch(/traefik_router_requests_total\{[^}]*router="headers-echo@docker"/);
    expect(right.body).toMatch(/traefik_service_requests_total\{[^}]*service="headers-echo@docker"/);
    // with the tutorial's buckets
    expect(right.body).toMatch(/traefik_service_request_duration_seconds_bucket\{[^}]*le="0\.3"/);
    expect(internal.status).toBe(404);
  });

  it('removes the Authorization header before the request goes on', async () => {
    // given a router through the API's auth middleware to an app that echoes what it receives
    const authorization = basic(username, password);

    // when it is asked with the right password and one more header
    const echoed = await answerFor(`${web()}/echo`, `echo.${env}.${domain}`, 200, {
      authorization,
      'x-probe': 'kept',
    });

    // then the app got the request and the other header, but not the credentials
    expect(echoed.body).toMatch(/^GET \/echo HTTP\/1\.1\r?\n/);
    expect(echoed.body.toLowerCase()).toContain('x-probe: kept');
    expect(echoed.body.toLowerCase()).not.toContain('authorization');
    expect(echoed.body).not.toContain(authorization.slice('Basic '.length));
  });
});
