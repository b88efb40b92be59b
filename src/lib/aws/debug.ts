import { debug, debugEnabled, since } from '../debug.js';

/**
 * `DEBUG=traefikctl:aws`: one line per AWS call, `ECS DescribeServices 200 in 85ms (1 attempt)`.
 * Names, status and timing only: never the input or output of a call (a SecureString's value, a
 * token), never credentials.
 */

interface Metadata {
  httpStatusCode?: number;
  attempts?: number;
}

interface HandlerContext {
  clientName?: string;
  commandName?: string;
}

type Handler = (args: unknown) => Promise<{ output?: { $metadata?: Metadata } }>;

interface WithMiddleware {
  middlewareStack: {
    add(
      middleware: (next: Handler, context: HandlerContext) => Handler,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

function attempts(metadata: Metadata | undefined): string {
  const count = metadata?.attempts;
  return count === undefined ? '' : ` (${count} attempt${count === 1 ? '' : 's'})`;
}

/** Adds the debug lines to an SDK client when DEBUG asks for them; otherwise leaves it as it is. */
export function debugAwsCalls<C>(client: C): C {
  if (!debugEnabled('aws')) return client;
  (client as unknown as WithMiddleware).middlewareStack.add(
    (next, context) => async (args) => {
      const call = `${(context.clientName ?? 'AWS').replace(/Client$/, '')} ${(context.commandName ?? '').replace(/Command$/, '')}`;
      const started = performance.now();
      try {
        const result = await next(args);
        const metadata = result.output?.$metadata;
        debug('aws', `${call} ${metadata?.httpStatusCode ?? ''} in ${since(started)}${attempts(metadata)}`);
        return result;
      } catch (error) {
        const e = error as { name?: unknown; $metadata?: Metadata };
        const name = typeof e.name === 'string' ? e.name : 'error';
        debug(
          'aws',
          `${call} failed: ${name}${e.$metadata?.httpStatusCode === undefined ? '' : ` ${e.$metadata.httpStatusCode}`} in ${since(started)}${attempts(e.$metadata)}`,
        );
        throw error;
      }
    },
    // Around the retries: one line per call, with how many attempts it took.
    { step: 'initialize', name: 'traefikctlDebug' },
  );
  return client;
}
