import { Agent, get, type IncomingMessage } from 'node:http';

import { afterEach, describe, expect, it } from 'vitest';

import { startLocalServer, type LocalServer } from './local-server.js';

const started: LocalServer[] = [];
const agents: Agent[] = [];
afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function start(...args: Parameters<typeof startLocalServer>): Promise<LocalServer> {
  const server = await startLocalServer(...args);
  started.push(server);
  return server;
}

/** A client that keeps its connections open between requests, as the AWS SDK and fetch do. */
function keepAliveAgent(): Agent {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  agents.push(agent);
  return agent;
}

/** The status and body of a GET, or the error code it failed with. */
function fetchText(url: string, agent?: Agent): Promise<{ status?: number; body?: string; error?: string }> {
  return new Promise((resolve) => {
    get(url, { agent }, (response: IncomingMessage) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    }).on('error', (error: NodeJS.ErrnoException) => resolve({ error: error.code ?? error.message }));
  });
}

/** Resolves with 'closed' when close() does, or with 'hung' after `ms`. */
function closedWithin(server: LocalServer, ms: number): Promise<'closed' | 'hung'> {
  return Promise.race([
    server.close().then(() => 'closed' as const),
    new Promise<'hung'>((resolve) => setTimeout(() => resolve('hung'), ms).unref()),
  ]);
}

describe('startLocalServer', () => {
  it('serves the handler at its url on 127.0.0.1 and a free port', async () => {
    // given a server that echoes the path
    const local = await start((request, response) => response.end(`you asked for ${request.url}`));

    // when it is asked for a path
    const answer = await fetchText(`${local.url}/health`);

    // then the handler answered, at the address the url and port name
    expect(answer).toEqual({ status: 200, body: 'you asked for /health' });
    expect(local.url).toBe(`http://127.0.0.1:${local.port}`);
    expect(local.port).toBeGreaterThan(0);
    expect(local.server.listening).toBe(true);
  });

  it('closes at once with a keep-alive client waiting on a request it never answers', async () => {
    // given a keep-alive client that got one answer and is waiting on a second that never comes
    let arrived = () => {};
    const hanging = new Promise<void>((resolve) => (arrived = resolve));
    const local = await start((request, response) => {
      if (request.url === '/hang') arrived();
      else response.end('ok');
    });
    const agent = keepAliveAgent();
    expect(await fetchText(`${local.url}/ok`, agent)).toEqual({ status: 200, body: 'ok' });
    const waiting = fetchText(`${local.url}/hang`, agent);
    await hanging;

    // when the server is closed
    const outcome = await closedWithin(local, 2_000);

    // then close() did not wait for the client, whose request was cut off
    expect(outcome).toBe('closed');
    expect(await waiting).toEqual({ error: 'ECONNRESET' });
    expect(local.server.listening).toBe(false);
  });

  it('can be closed twice, and refuses connections once closed', async () => {
    // given a closed server
    const local = await start((_request, response) => response.end('ok'));
    await local.close();

    // when it is closed again and then asked for something
    await expect(local.close()).resolves.toBeUndefined();
    const answer = await fetchText(local.url);

    // then nothing listens there any more
    expect(answer).toEqual({ error: 'ECONNREFUSED' });
  });

  it('starts again on the port it had, and says so when that port is taken', async () => {
    // given a server that was stopped
    const first = await start((_request, response) => response.end('first'));
    await first.close();

    // when another one starts on its port
    const second = await start((_request, response) => response.end('second'), { port: first.port });

    // then it answers there, and a third cannot take the same port
    expect(await fetchText(first.url)).toEqual({ status: 200, body: 'second' });
    expect(second.url).toBe(first.url);
    await expect(startLocalServer(undefined, { port: first.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});
