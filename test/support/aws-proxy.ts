/**
 * "AWS hangs", for tests: a proxy on 127.0.0.1 in front of moto that forwards every request and
 * swallows the answer to the operations it is told to (the request still reaches moto, as a change
 * AWS made can be followed by an answer that never comes). moto always answers, and pausing the one
 * moto every test shares would stall them all, so this is how a test makes one call hang.
 *
 * Operations are named as AWS names them (`CreateService`, `CreateStack`): from the X-Amz-Target
 * header for JSON protocols (ECS, ECR, SSM, Logs), from the form body's `Action=` for query
 * protocols (CloudFormation, STS, EC2).
 */
import { request as httpRequest } from 'node:http';

import { startLocalServer } from './local-server.js';

export interface AwsProxy {
  url: string;
  /** Operations whose answers are swallowed (the request is still forwarded). */
  swallow: Set<string>;
  /** Every operation sent through the proxy, in order. */
  received: string[];
  /** Resolves once moto has answered every request forwarded so far, swallowed ones included. */
  idle(): Promise<void>;
  /** Resolves when a request for `operation` has been forwarded (at once if one was). */
  forwarded(operation: string): Promise<void>;
  close(): Promise<void>;
}

function operationOf(target: string | undefined, body: Buffer): string {
  if (target !== undefined && target !== '') return target.split('.').pop() ?? target;
  return new URLSearchParams(body.toString('utf8')).get('Action') ?? '';
}

export async function startAwsProxy(upstream: string): Promise<AwsProxy> {
  const target = new URL(upstream);
  const swallow = new Set<string>();
  const received: string[] = [];
  const inFlight = new Set<Promise<void>>();
  const waiting: { operation: string; resolve: () => void }[] = [];
  const { url, close } = await startLocalServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = operationOf(
        incoming.headers['x-amz-target'] as string | undefined,
        incoming.headers['content-type']?.includes('x-www-form-urlencoded') ? body : Buffer.alloc(0),
      );
      received.push(operation);
      // Decided when the request comes: the test may stop swallowing before this answer comes back.
      const swallowed = swallow.has(operation);
      let answered = () => {};
      const answer = new Promise<void>((resolve) => (answered = resolve));
      inFlight.add(answer);
      void answer.then(() => inFlight.delete(answer));
      const forwarded = httpRequest(
        {
          host: target.hostname,
          port: target.port,
          method: incoming.method,
          path: incoming.url,
          headers: incoming.headers,
        },
        (response) => {
          // Its end, or its close when the client is gone and nothing reads it any more.
          response.on('end', answered);
          response.on('close', answered);
          if (swallowed) {
            response.resume();
            return;
          }
          outgoing.writeHead(response.statusCode ?? 502, response.headers);
          response.pipe(outgoing);
        },
      );
      forwarded.on('error', () => {
        answered();
        outgoing.destroy();
      });
      forwarded.end(body);
      for (const waiter of waiting.filter((w) => w.operation === operation)) waiter.resolve();
    });
  });
  const idle = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  const forwarded = (operation: string) =>
    received.includes(operation)
      ? Promise.resolve()
      : new Promise<void>((resolve) => waiting.push({ operation, resolve }));
  return { url, swallow, received, idle, forwarded, close };
}
