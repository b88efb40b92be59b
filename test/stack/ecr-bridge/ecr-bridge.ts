/**
 * The ECR bridge of the test stack (scripts/test-stack.sh): a registry on 127.0.0.1:5000 that
 * behaves like ECR's, made of the distribution registry behind it and moto's ECR API beside it.
 *
 * moto implements ECR's API but not the registry protocol `docker push` speaks (shared/notes/moto.md
 * §2), and the registry knows nothing of moto: without this, an image pushed to the registry is
 * missing from DescribeImages, and `app deploy` can't pin it. So:
 * - every request passes through to the registry unchanged (bodies streamed, the Host header kept,
 *   so the registry's upload Locations point back here);
 * - a repository-scoped request (`/v2/<name>/…`) with ECR's credentials (`AWS:<account>-auth-token`)
 *   is refused when moto's ECR has no such repository in that account, with the error ECR gives
 *   (404 NAME_UNKNOWN), as ECR refuses a push to a repository nobody created;
 * - a manifest PUT to a tag of an IMMUTABLE repository that already names another image is refused
 *   with ECR's 400 TAG_INVALID before the registry sees it;
 * - each manifest PUT the registry accepts is registered in moto's ECR with PutImage: the manifest
 *   bytes, its media type, the tag, and the digest the registry answered (Docker-Content-Digest),
 *   which moto keeps for a new manifest. DescribeImages then reports exactly the pushed digest.
 *
 * No dependencies, and only erasable TypeScript: Node (22.18 or newer) runs this file as it is,
 * from `scripts/test-stack.sh up`, before any `npm ci`. It only ever talks to the loopback
 * addresses it is given. ECR_BRIDGE_DEBUG=1 logs every request line.
 *
 * Usage: node ecr-bridge.ts --listen 127.0.0.1:5000 --upstream 127.0.0.1:5001 \
 *          --moto http://127.0.0.1:5055 --region us-east-1
 */
import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    listen: { type: 'string', default: '127.0.0.1:5000' },
    upstream: { type: 'string', default: '127.0.0.1:5001' },
    moto: { type: 'string', default: 'http://127.0.0.1:5055' },
    region: { type: 'string', default: 'us-east-1' },
  },
});

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost)$/;
const [listenHost, listenPort] = splitHostPort(options.listen);
const [upstreamHost, upstreamPort] = splitHostPort(options.upstream);
const motoUrl = new URL(options.moto);
for (const [what, host] of [
  ['--listen', listenHost],
  ['--upstream', upstreamHost],
  ['--moto', motoUrl.hostname],
] as const) {
  if (!LOOPBACK.test(host)) fail(`${what} must be a loopback address (got ${host}).`);
}

/** ECR's limit on a manifest is 4 MiB; a larger body is refused rather than buffered. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MOTO_TIMEOUT_MS = 10_000;
const COMPONENT = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const NAME = `(?<name>${COMPONENT}(?:/${COMPONENT})*)`;
const REPOSITORY_PATH = new RegExp(`^/v2/${NAME}/(?<kind>manifests|blobs|tags)(?:/(?<rest>.*))?$`);
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
]);

interface Repository {
  imageTagMutability?: string;
}

/** An error answer of moto's ECR: `type` is the exception's name (RepositoryNotFoundException). */
class EcrError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(`${type}: ${message}`);
    this.type = type;
  }
}

const server = http.createServer((request, response) => {
  handle(request, response).catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    log(`error: ${request.method ?? ''} ${request.url ?? ''}: ${message}`);
    if (!response.headersSent) {
      registryError(response, 502, 'UNAVAILABLE', `ECR bridge: ${message}`);
    } else {
      response.destroy();
    }
  });
});
server.keepAliveTimeout = 30_000;
server.listen(Number(listenPort), listenHost, () => {
  log(
    `listening on ${options.listen}; registry ${options.upstream}; moto ${motoUrl.origin} (${options.region})`,
  );
});
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
    setTimeout(() => process.exit(0), 2_000).unref();
  });
}

async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (process.env.ECR_BRIDGE_DEBUG) log(`${request.method ?? ''} ${request.url ?? ''}`);
  const path = (request.url ?? '/').split('?')[0] ?? '/';
  const match = REPOSITORY_PATH.exec(path);
  const account = match ? ecrAccount(request.headers.authorization) : undefined;
  // Without ECR's credentials the registry answers 401 itself, as ECR does before anything else.
  const name = match?.groups?.name;
  if (name === undefined || account === undefined) return pass(request, response);
  const kind = match?.groups?.kind;
  const rest = match?.groups?.rest ?? '';
  const repository = await describeRepository(account, name);
  if (repository === undefined) {
    return registryError(
      response,
      404,
      'NAME_UNKNOWN',
      `The repository with name '${name}' does not exist in the registry with id '${account}'`,
    );
  }
  const isManifestPut = kind === 'manifests' && request.method === 'PUT' && rest !== '';
  if (!isManifestPut) return pass(request, response);

  const reference = decodeURIComponent(rest);
  const tag = DIGEST.test(reference) ? undefined : reference;
  const body = await readBody(request, MAX_MANIFEST_BYTES);
  if (body === undefined) {
    return registryError(response, 400, 'MANIFEST_INVALID', 'The manifest is larger than 4 MiB.');
  }
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  if (tag !== undefined && repository.imageTagMutability === 'IMMUTABLE') {
    const existing = await imageDigestOf(account, name, tag);
    if (existing !== undefined && existing !== digest) {
      return registryError(
        response,
        400,
        'TAG_INVALID',
        `The image tag '${tag}' already exists in the '${name}' repository and cannot be overwritten because the repository is immutable.`,
      );
    }
  }

  const upstream = await forward(request, body);
  if (upstream.statusCode !== 201) return relay(upstream, response);
  const pushed = upstream.headers['docker-content-digest'];
  const registered = typeof pushed === 'string' ? pushed : digest;
  const mediaType = String(request.headers['content-type'] ?? '')
    .split(';')[0]
    ?.trim();
  try {
    await ecr(account, 'PutImage', {
      repositoryName: name,
      imageManifest: body.toString('utf8'),
      ...(mediaType ? { imageManifestMediaType: mediaType } : {}),
      imageDigest: registered,
      ...(tag === undefined ? {} : { imageTag: tag }),
    });
    log(
      `registered ${name}${tag === undefined ? '' : `:${tag}`} ${registered} in moto's ECR (account ${account})`,
    );
  } catch (error) {
    // Pushing the same manifest under the same tag again is a no-op on ECR; moto calls it an error.
    if (!(error instanceof EcrError)) throw error;
    const same =
      error.type === 'ImageAlreadyExistsException' &&
      (tag === undefined || (await imageDigestOf(account, name, tag)) === registered);
    if (!same) {
      upstream.resume();
      return registryError(
        response,
        500,
        'UNKNOWN',
        `ECR bridge: the registry stored ${registered}, but moto's PutImage refused it: ${error.message}`,
      );
    }
  }
  return relay(upstream, response);
}

/** `AWS:<12 digits>-auth-token`, what moto's GetAuthorizationToken hands out: the account. */
function ecrAccount(authorization: string | undefined): string | undefined {
  const [scheme, encoded = ''] = String(authorization ?? '').split(' ');
  if (scheme?.toLowerCase() !== 'basic') return undefined;
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  return /^AWS:(\d{12})-auth-token$/.exec(decoded)?.[1];
}

async function describeRepository(account: string, name: string): Promise<Repository | undefined> {
  try {
    const answer = (await ecr(account, 'DescribeRepositories', { repositoryNames: [name] })) as {
      repositories?: Repository[];
    };
    return answer.repositories?.[0] ?? {};
  } catch (error) {
    if (error instanceof EcrError && error.type === 'RepositoryNotFoundException') return undefined;
    throw error;
  }
}

async function imageDigestOf(account: string, name: string, tag: string): Promise<string | undefined> {
  try {
    const answer = (await ecr(account, 'DescribeImages', {
      repositoryName: name,
      imageIds: [{ imageTag: tag }],
    })) as { imageDetails?: { imageDigest?: string }[] };
    return answer.imageDetails?.[0]?.imageDigest;
  } catch (error) {
    if (error instanceof EcrError && error.type === 'ImageNotFoundException') return undefined;
    throw error;
  }
}

/** One call to moto's ECR JSON API. moto reads the region from the credential scope, not a signature. */
async function ecr(account: string, action: string, body: object): Promise<unknown> {
  const response = await fetch(motoUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `AmazonEC2ContainerRegistry_V20150921.${action}`,
      authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${options.region}/ecr/aws4_request, SignedHeaders=host;x-amz-target, Signature=0`,
      'x-moto-account-id': account,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(MOTO_TIMEOUT_MS),
  }).catch((error: unknown) => {
    const cause =
      error instanceof Error ? ((error.cause as { code?: string } | undefined)?.code ?? error.message) : '';
    throw new Error(`moto at ${motoUrl.origin} did not answer ${action}: ${cause}`);
  });
  const text = await response.text();
  let json: Record<string, string | undefined>;
  try {
    json = text === '' ? {} : (JSON.parse(text) as Record<string, string | undefined>);
  } catch {
    json = { message: text.slice(0, 300) };
  }
  if (!response.ok) {
    const raw = String(json.__type ?? response.headers.get('x-amzn-errortype') ?? response.status);
    const type = raw.split('#').pop()?.split(':')[0] ?? raw;
    throw new EcrError(type, String(json.message ?? json.Message ?? ''));
  }
  return json;
}

function upstreamRequest(request: IncomingMessage, headers: http.OutgoingHttpHeaders): http.ClientRequest {
  return http.request({
    host: upstreamHost,
    port: Number(upstreamPort),
    method: request.method,
    path: request.url,
    headers,
  });
}

function forwardedHeaders(headers: http.IncomingHttpHeaders): http.OutgoingHttpHeaders {
  const result: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(headers)) {
    if (!HOP_BY_HOP.has(key) && value !== undefined) result[key] = value;
  }
  return result;
}

/** Streams the request through and the answer back. */
function pass(request: IncomingMessage, response: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const outgoing = upstreamRequest(request, forwardedHeaders(request.headers));
    outgoing.on('response', (upstream) => {
      relay(upstream, response);
      upstream.on('end', () => resolve());
      upstream.on('error', reject);
    });
    outgoing.on('error', reject);
    request.on('aborted', () => outgoing.destroy());
    request.pipe(outgoing);
  });
}

/** Sends a buffered body through; resolves with the registry's answer, its body not yet read. */
function forward(request: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const headers = forwardedHeaders(request.headers);
    headers['content-length'] = String(body.length);
    const outgoing = upstreamRequest(request, headers);
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function relay(upstream: IncomingMessage, response: ServerResponse): void {
  const headers = forwardedHeaders(upstream.headers);
  response.writeHead(upstream.statusCode ?? 502, headers);
  upstream.pipe(response);
}

/** Reads at most `limit` bytes; undefined when the body is longer. */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        request.resume();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

/** The registry API's error body (distribution spec), as ECR writes it. */
function registryError(response: ServerResponse, status: number, code: string, message: string): void {
  const body = JSON.stringify({ errors: [{ code, message, detail: null }] });
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'docker-distribution-api-version': 'registry/2.0',
  });
  response.end(body);
}

function splitHostPort(value: string): [string, string] {
  const index = value.lastIndexOf(':');
  return index < 0 ? [value, ''] : [value.slice(0, index), value.slice(index + 1)];
}

function log(message: string): void {
  process.stdout.write(`${new Date().toISOString()} ecr-bridge: ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`ecr-bridge: ${message}\n`);
  process.exit(2);
}
