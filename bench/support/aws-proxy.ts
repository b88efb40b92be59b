/**
 * A counting proxy on 127.0.0.1 in front of moto: point AWS_ENDPOINT_URL at it (the SDK's own
 * setting, so it works for a spawned CLI as well) and every AWS request is recorded as
 * `service:Operation` before it is forwarded unchanged. moto doesn't check signatures, so the
 * re-sent request needs no re-signing.
 *
 * The operation comes from `x-amz-target` (JSON protocols: ECS, ECR, SSM, Logs) or from `Action=`
 * in the form body (query protocols: CloudFormation, STS, EC2, ELBv2); the service from the SigV4
 * credential scope, which is also how moto routes the request.
 *
 * ListServices is paged as ECS pages it (at most `maxResults`, default 10, per answer, with a
 * `nextToken`): moto answers every service at once, which would hide how many pages a command reads.
 *
 * `holdRollouts(n)` makes the n DescribeServices answers after the next CreateService or
 * UpdateService show every PRIMARY deployment still IN_PROGRESS with no task running: moto settles a
 * service at once, and the bench needs a rollout that takes a few polls to count what each poll costs.
 */
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AwsCall {
  /** ms since the proxy started. */
  at: number;
  /** e.g. `ecs:DescribeServices`. */
  operation: string;
  status: number;
}

export interface AwsProxy {
  url: string;
  calls: AwsCall[];
  /** Calls since `mark` (an index into `calls`). */
  since(mark: number): AwsCall[];
  holdRollouts(count: number): void;
  close(): Promise<void>;
}

interface Deployment {
  status?: string;
  rolloutState?: string;
  runningCount?: number;
}

export async function startAwsProxy(target: string): Promise<AwsProxy> {
  const upstream = new URL(target);
  const calls: AwsCall[] = [];
  const started = performance.now();
  let hold = 0;
  let holding = false;

  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      let body: Buffer = Buffer.concat(chunks);
      const operation = operationOf(request, body);
      let page: { offset: number; size: number } | undefined;
      if (operation === 'ecs:ListServices') {
        const input = JSON.parse(body.toString('utf8') || '{}') as {
          maxResults?: number;
          nextToken?: string;
        };
        const offset = /^bench:(\d+)$/.exec(input.nextToken ?? '')?.[1];
        page = { offset: Number(offset ?? 0), size: input.maxResults ?? 10 };
        delete input.nextToken;
        delete input.maxResults;
        body = Buffer.from(JSON.stringify(input));
        request.headers['content-length'] = String(body.length);
      }
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: request.method,
          path: request.url,
          headers: request.headers,
        },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            let payload: Buffer = Buffer.concat(parts);
            const headers = { ...answer.headers };
            if (page !== undefined && answer.statusCode === 200) {
              payload = pageOf(payload, page);
              headers['content-length'] = String(payload.length);
              delete headers['x-amz-crc32'];
            }
            if (operation === 'ecs:CreateService' || operation === 'ecs:UpdateService') holding = hold > 0;
            if (operation === 'ecs:DescribeServices' && holding && answer.statusCode === 200) {
              holding = --hold > 0;
              payload = holdRollout(payload);
              headers['content-length'] = String(payload.length);
              delete headers['x-amz-crc32'];
            }
            calls.push({ at: performance.now() - started, operation, status: answer.statusCode ?? 0 });
            response.writeHead(answer.statusCode ?? 502, headers);
            response.end(payload);
          });
        },
      );
      forward.on('error', (error) => {
        calls.push({ at: performance.now() - started, operation, status: 502 });
        response.writeHead(502, { 'content-type': 'text/plain' });
        response.end(`bench proxy: ${error.message}`);
      });
      forward.end(body);
    });
  };

  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    since: (mark) => calls.slice(mark),
    holdRollouts: (count) => {
      hold = count;
      holding = false;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function operationOf(request: IncomingMessage, body: Buffer): string {
  const scope = /Credential=[^/]+\/\d{8}\/[^/]+\/([^/]+)\//.exec(String(request.headers.authorization ?? ''));
  const service = scope?.[1] ?? 'unsigned';
  const target = request.headers['x-amz-target'];
  if (typeof target === 'string') return `${service}:${target.slice(target.lastIndexOf('.') + 1)}`;
  const action = /(?:^|&)Action=([^&]+)/.exec(body.toString('utf8'))?.[1];
  if (action !== undefined) return `${service}:${decodeURIComponent(action)}`;
  return `${service}:${request.method ?? '?'} ${request.url ?? ''}`;
}

function pageOf(payload: Buffer, page: { offset: number; size: number }): Buffer {
  const answer = JSON.parse(payload.toString('utf8')) as { serviceArns?: string[]; nextToken?: string };
  const arns = answer.serviceArns ?? [];
  const end = page.offset + page.size;
  return Buffer.from(
    JSON.stringify({
      serviceArns: arns.slice(page.offset, end),
      ...(end < arns.length ? { nextToken: `bench:${end}` } : {}),
    }),
  );
}

function holdRollout(payload: Buffer): Buffer {
  try {
    const answer = JSON.parse(payload.toString('utf8')) as { services?: { deployments?: Deployment[] }[] };
    for (const service of answer.services ?? []) {
      for (const deployment of service.deployments ?? []) {
        if (deployment.status !== 'PRIMARY') continue;
        deployment.rolloutState = 'IN_PROGRESS';
        deployment.runningCount = 0;
      }
    }
    return Buffer.from(JSON.stringify(answer));
  } catch {
    return payload;
  }
}
