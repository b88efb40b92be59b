/**
 * A throw-away HTTP server on 127.0.0.1 for tests that need something to talk to: a stand-in load
 * balancer, registry or AWS endpoint. It keeps track of every connection so that close() can end
 * them: keep-alive sockets and requests the handler never answers would otherwise keep
 * `server.close()` waiting, and the test's teardown with it.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface LocalServerOptions {
  /** Listen on this port instead of a free one (to start a server again where it was). */
  port?: number;
}

export interface LocalServer {
  /** `http://127.0.0.1:<port>`, without a trailing slash. */
  url: string;
  port: number;
  /** The node:http server, for the rare test that needs more than a handler. */
  server: Server;
  /**
   * Destroys every open connection and resolves once the server is closed; safe to call twice, and
   * to take off the object (`const { url, close } = ...`).
   */
  close: () => Promise<void>;
}

/** Starts `handler` (by default: answer nothing) on 127.0.0.1 and a free port. */
export async function startLocalServer(
  handler?: RequestListener,
  options: LocalServerOptions = {},
): Promise<LocalServer> {
  const server = createServer(handler);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  let closed: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    server,
    close: () =>
      (closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        for (const socket of sockets) socket.destroy();
      })),
  };
}
