import type http from 'node:http';
import type { IncomingMessage } from 'node:http';
import {
  ECS_TARGET,
  HOP_BY_HOP,
  LOGS_TARGET,
  MOTO_TIMEOUT_MS,
  motoUrl,
  type Answer,
  type Json,
  type Scope,
} from './state.ts';
import { exchange, headerOf, messageOf, parseObject } from './util.ts';

// --- moto and the Docker engine -------------------------------------------------------------------

/** An error answer of moto's JSON APIs: `type` is the exception's name. */
export class AwsError extends Error {
  readonly type: string;
  constructor(type: string, message: string) {
    super(`${type}: ${message}`);
    this.type = type;
  }
}

/** One call to moto's ECS or CloudWatch Logs; moto reads the region from the credential scope. */
export async function aws(
  scope: Scope,
  service: 'ecs' | 'logs',
  action: string,
  input: object,
): Promise<Json> {
  const body = Buffer.from(JSON.stringify(input));
  const answer = await exchange(
    {
      host: motoUrl.hostname,
      port: Number(motoUrl.port || 80),
      method: 'POST',
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `${service === 'ecs' ? ECS_TARGET : LOGS_TARGET}${action}`,
        authorization: `AWS4-HMAC-SHA256 Credential=testing/20260101/${scope.region}/${service}/aws4_request, SignedHeaders=host;x-amz-target, Signature=0`,
        'x-moto-account-id': scope.account,
        'content-length': String(body.length),
      },
    },
    body,
    MOTO_TIMEOUT_MS,
  ).catch((error: unknown) => {
    throw new Error(`moto at ${motoUrl.origin} did not answer ${action}: ${messageOf(error)}`);
  });
  const json = parseObject(answer.body);
  if (answer.status !== 200) {
    const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
    const raw = text(json.__type) ?? headerOf(answer.headers, 'x-amzn-errortype') ?? '';
    const type = raw.split('#').pop()?.split(':')[0] || `HTTP ${answer.status}`;
    const message = text(json.message) ?? text(json.Message) ?? answer.body.toString('utf8').slice(0, 200);
    throw new AwsError(type, message);
  }
  return json;
}

/** The client's call as it came, to moto (only the Host changes); the answer buffered. */
export function toMoto(request: IncomingMessage, body: Buffer): Promise<Answer> {
  const headers: http.OutgoingHttpHeaders = {};
  for (const [key, value] of Object.entries(request.headers)) {
    if (!HOP_BY_HOP.has(key) && key !== 'host' && value !== undefined) headers[key] = value;
  }
  headers.host = motoUrl.host;
  headers['content-length'] = String(body.length);
  return exchange(
    {
      host: motoUrl.hostname,
      port: Number(motoUrl.port || 80),
      method: request.method ?? 'POST',
      path: request.url ?? '/',
      headers,
    },
    body,
    MOTO_TIMEOUT_MS,
  );
}
