import { isIP } from 'node:net';

import { usageError } from '../errors.js';

/**
 * `TRAEFIKCTL_CONNECT_TO=host[:port]`: the address of the env's entry point (its load balancer, or
 * a Traefik on this machine) for traefikctl's own HTTP requests, the Traefik API's and the URL
 * probes'. They keep their host name (Host header, TLS SNI and certificate check), only the
 * connection goes there, as with curl's `--connect-to`. It is what reaches an env before its DNS
 * records exist: the load balancer's name right after `cluster up`, or a local stand-in.
 */
export const CONNECT_TO_VARIABLE = 'TRAEFIKCTL_CONNECT_TO';

export interface ConnectAddress {
  host: string;
  /** The URL's own port when undefined. */
  port: number | undefined;
}

/**
 * `host[:port]`, IPv6 in brackets. `source` names where it came from (`--probe-address`,
 * `TRAEFIKCTL_CONNECT_TO`) in the usage error for anything else.
 */
export function parseConnectAddress(address: string, source: string): ConnectAddress {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(address.trim());
  const port = match?.[3] === undefined ? undefined : Number(match[3]);
  if (match === null || (port !== undefined && (port < 1 || port > 65535))) {
    throw usageError(
      `${source} ${JSON.stringify(address)} is not a host or host:port.`,
      [
        `Set ${source} to the address of the env's load balancer or Traefik entry point, e.g. my-alb-123.eu-west-1.elb.amazonaws.com or 127.0.0.1:8080.`,
      ],
      source.startsWith('--') ? 'PROBE_ADDRESS_INVALID' : 'CONNECT_TO_INVALID',
    );
  }
  return { host: match[1] ?? match[2] ?? '', port };
}

/** TRAEFIKCTL_CONNECT_TO from `environment`, checked; undefined when unset or empty. */
export function connectToFromEnvironment(
  environment: NodeJS.ProcessEnv = process.env,
): ConnectAddress | undefined {
  const value = environment[CONNECT_TO_VARIABLE];
  return value === undefined || value.trim() === ''
    ? undefined
    : parseConnectAddress(value, CONNECT_TO_VARIABLE);
}

/**
 * A fetch whose connections all go to `address`, the request's URL (and so its Host and SNI)
 * unchanged. undici is loaded only here: fetch can't send a Host of its own, and this costs
 * nothing when the variable is unset.
 */
export async function fetchThrough(address: ConnectAddress): Promise<typeof fetch> {
  const { Agent, buildConnector, fetch: undiciFetch } = await import('undici');
  const connect = buildConnector({});
  const agent = new Agent({
    connect: (options, callback) =>
      connect(
        {
          ...options,
          hostname: address.host,
          ...(address.port === undefined ? {} : { port: String(address.port) }),
          // TLS is for the URL's own host: its name is what the certificate must match.
          ...(options.servername === undefined && isIP(options.hostname) === 0
            ? { servername: options.hostname }
            : {}),
        },
        callback,
      ),
  });
  return ((input: string, init?: RequestInit) =>
    undiciFetch(input, { ...(init as object), dispatcher: agent })) as unknown as typeof fetch;
}
