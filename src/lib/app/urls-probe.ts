import { lookup } from 'node:dns/promises';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

import { mapLimit } from '../async.js';
import { formatDuration } from '../duration.js';
import { describeError } from '../errors.js';
import { ANSWER_BODY_BYTES, urlAnswers } from '../traefik/url-answer.js';
import { parseProbeAddress } from './deploy/track-probe.js';

/**
 * `app urls --check`: one GET per URL, concurrently, each with a timeout. The address a host
 * resolves to is an option: DNS by default, a fixed loopback address in tests (which may only
 * talk to 127.0.0.1), a load balancer's address when DNS isn't set up yet. The request still
 * carries the deployment's Host header and TLS server name, so Traefik routes it as it would a
 * browser's.
 */

/** Where to connect for a host. `port` overrides the URL's (tests listen on a random port). */
export interface ProbeTarget {
  address: string;
  port?: number | undefined;
}

export type ProbeResolver = (host: string) => ProbeTarget | Promise<ProbeTarget>;

export interface ProbeOptions {
  /** Per URL, name resolution included. */
  timeoutMs?: number | undefined;
  /** Defaults to the system resolver (DNS, /etc/hosts). */
  resolve?: ProbeResolver | undefined;
}

export interface ProbeResult {
  url: string;
  /**
   * True when the URL answers (traefik/url-answer.ts): the app's own response below 500, its 404 or
   * login wall included; not a 5xx, not Traefik's own 404 (no router for the host).
   */
  ok: boolean;
  status?: number | undefined;
  /** Why there was no answer: DNS, refused connection, TLS, timeout. */
  error?: string | undefined;
  /** The address that was contacted. */
  address?: string | undefined;
  elapsedMs: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 5_000;

export const systemResolver: ProbeResolver = async (host) => {
  if (isIP(host) !== 0) return { address: host };
  const { address } = await lookup(host);
  return { address };
};

/**
 * `--probe-address host[:port]`: every URL is sent there (the load balancer before its DNS record
 * exists, a local stand-in), still with the deployment's Host header and TLS server name.
 */
export function fixedAddress(address: string): ProbeResolver {
  // The same host[:port] syntax, and the same usage error, as `app deploy --probe-address`.
  const { host, port } = parseProbeAddress(address);
  return () => ({ address: host, port });
}

export async function probeUrl(url: string, options: ProbeOptions = {}): Promise<ProbeResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const signal = AbortSignal.timeout(timeoutMs);
  const elapsed = () => Math.round(performance.now() - started);
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { url, ok: false, error: 'not a URL', elapsedMs: 0 };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { url, ok: false, error: `can't probe ${target.protocol} URLs`, elapsedMs: 0 };
  }

  let resolved: ProbeTarget;
  try {
    resolved = await abortable(Promise.resolve((options.resolve ?? systemResolver)(target.hostname)), signal);
  } catch (error) {
    return {
      url,
      ok: false,
      error: signal.aborted
        ? `no answer within ${formatDuration(timeoutMs)} (name resolution)`
        : `can't resolve ${target.hostname} (${errorCode(error)})`,
      elapsedMs: elapsed(),
    };
  }

  const https = target.protocol === 'https:';
  const { request } = https ? await import('node:https') : await import('node:http');
  const port = resolved.port ?? (target.port === '' ? (https ? 443 : 80) : Number(target.port));
  return new Promise<ProbeResult>((resolve) => {
    const req = request(
      {
        host: resolved.address,
        port,
        path: `${target.pathname}${target.search}`,
        method: 'GET',
        headers: { host: target.host, 'user-agent': 'traefikctl-probe', accept: '*/*' },
        ...(https && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
        signal,
      },
      (response: IncomingMessage) => {
        const status = response.statusCode ?? 0;
        // The status, and for a 404 the start of the body (is it Traefik's own?); never the whole body.
        let body = '';
        let settled = false;
        const done = () => {
          if (settled) return;
          settled = true;
          response.destroy();
          const ok = urlAnswers({ status, body, headers: response.headers });
          resolve({ url, ok, status, address: resolved.address, elapsedMs: elapsed() });
        };
        if (status !== 404) {
          done();
          return;
        }
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (body.length >= ANSWER_BODY_BYTES) done();
        });
        response.on('end', done);
        // Cut off before the body said whose 404 it is: no verdict from half a body.
        response.on('error', (error) => {
          if (settled) return;
          settled = true;
          resolve({
            url,
            ok: false,
            status,
            error: withCode(error),
            address: resolved.address,
            elapsedMs: elapsed(),
          });
        });
      },
    );
    req.on('error', (error) => {
      resolve({
        url,
        ok: false,
        error: signal.aborted ? `no answer within ${formatDuration(timeoutMs)}` : withCode(error),
        address: resolved.address,
        elapsedMs: elapsed(),
      });
    });
    req.end();
  });
}

/** Probes every URL, at most `concurrency` at once; results in the order of `urls`. */
export async function probeUrls(
  urls: readonly string[],
  options: ProbeOptions & { concurrency?: number | undefined } = {},
): Promise<ProbeResult[]> {
  return mapLimit(urls, options.concurrency ?? 16, (url) => probeUrl(url, options));
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function errorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : describeError(error);
}

/** `connect ECONNREFUSED 10.0.0.1:80`, or the message with its code added when it lacks one. */
function withCode(error: unknown): string {
  const message = describeError(error);
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && !message.includes(code) ? `${message} (${code})` : message;
}
