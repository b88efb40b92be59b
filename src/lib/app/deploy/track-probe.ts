import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

import { ExitCode, UserError } from '../../errors.js';
import { parseConnectAddress, type ConnectAddress } from '../../traefik/connect-to.js';
import { ANSWER_BODY_BYTES, urlAnswers, type HttpAnswer } from '../../traefik/url-answer.js';
import type { Poller } from './poll.js';

/**
 * The last check of a deploy: the URL answers. The request always carries the deployment's host name
 * (Host header, and TLS SNI for https), but may be sent to another address (`--probe-address`): the
 * load balancer before the wildcard DNS record exists, or a local stand-in in tests, which must only
 * ever talk to 127.0.0.1.
 */

export interface ProbeTarget {
  url: string;
  /** Path to request; the app's health check path when it has one. */
  path: string;
  /** `host` or `host:port` to connect to instead of the URL's own host and port. */
  address?: string | undefined;
}

export interface ProbeAnswer {
  status: number;
  /** How long the answering request took. */
  ms: number;
}

export interface ProbeUrlOptions extends ProbeTarget {
  poller: Poller;
  deadline: number;
  deadlineIsOverall?: boolean;
  /** Per request. */
  requestTimeoutMs?: number;
  setDetail?: ((detail: string) => void) | undefined;
  timeoutText: string;
  /**
   * Called at each look, before the request: throws to stop waiting (the service was deleted or
   * taken over meanwhile).
   */
  check?: (() => Promise<void>) | undefined;
}

/** `host[:port]`, with IPv6 in brackets; a usage error naming --probe-address for anything else. */
export function parseProbeAddress(address: string): ConnectAddress {
  return parseConnectAddress(address, '--probe-address');
}

/** One GET: the status, or the network error. Never follows redirects: a redirect is an answer. */
export function probeOnce(
  target: ProbeTarget,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ProbeAnswer & HttpAnswer> {
  const url = new URL(target.url);
  const https = url.protocol === 'https:';
  const defaultPort = https ? 443 : 80;
  const override = target.address === undefined ? undefined : parseProbeAddress(target.address);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const request = (https ? httpsRequest : httpRequest)(
      {
        host: override?.host ?? url.hostname,
        port: override?.port ?? (url.port === '' ? defaultPort : Number(url.port)),
        path: target.path,
        method: 'GET',
        headers: { host: url.host, 'user-agent': 'traefikctl (deploy probe)', accept: '*/*' },
        ...(https ? { servername: url.hostname } : {}),
        timeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      },
      (response: IncomingMessage) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          if (body.length < ANSWER_BODY_BYTES) body += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            ms: Math.round(performance.now() - started),
            body,
            headers: response.headers,
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('timeout', () =>
      request.destroy(Object.assign(new Error('no answer in time'), { code: 'ETIMEDOUT' })),
    );
    request.on('error', reject);
    request.end();
  });
}

function errorText(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/** Polls the URL until it answers (traefik/url-answer.ts: not a server error, not Traefik's own 404). */
export async function probeUrl(options: ProbeUrlOptions): Promise<ProbeAnswer> {
  const { poller } = options;
  const shown = `${options.url.replace(/\/$/, '')}${options.path}${options.address ? ` via ${options.address}` : ''}`;
  let seen = 'no answer yet';
  let attempts = 0;
  const outcome = await poller.until<ProbeAnswer>(
    async (signal) => {
      attempts++;
      await options.check?.();
      // No request outlives the deadline: the last one gets what is left of it.
      const fullTimeoutMs = options.requestTimeoutMs ?? 10_000;
      const timeoutMs = Math.max(1, Math.min(fullTimeoutMs, options.deadline - poller.now()));
      try {
        const answer = await probeOnce(options, timeoutMs, signal);
        if (urlAnswers(answer)) return { status: answer.status, ms: answer.ms };
        seen =
          answer.status === 404
            ? 'Traefik answered 404: no route for the host'
            : `it answered ${answer.status}`;
      } catch (error) {
        if (signal.aborted) throw error;
        // A request that the deadline cut short says nothing new about the URL: the message keeps
        // what the last whole attempt saw (a 503 for two minutes is not "ETIMEDOUT").
        const cutShort = timeoutMs < fullTimeoutMs && errorText(error) === 'ETIMEDOUT';
        if (!cutShort || seen === 'no answer yet') seen = `the request failed (${errorText(error)})`;
      }
      options.setDetail?.(`${seen} (attempt ${attempts})`);
      return undefined;
    },
    { deadline: options.deadline },
  );
  if (outcome.status === 'done') return outcome.value;
  const dns = /ENOTFOUND|EAI_AGAIN/.test(seen);
  throw new UserError(`${shown} doesn't answer after ${options.timeoutText}: ${seen}.`, {
    suggestions: [
      ...(dns
        ? [
            'The host name does not resolve yet: check the wildcard DNS record of the environment, or probe the load balancer with --probe-address <its DNS name>.',
          ]
        : []),
      'The ECS deployment itself succeeded and stays in place; skip this check with --skip-probe.',
    ],
    exitCode: options.deadlineIsOverall ? ExitCode.TimedOut : ExitCode.ProbeFailed,
    code: options.deadlineIsOverall ? 'PROBE_TIMED_OUT' : 'PROBE_FAILED',
  });
}
