import { durationMs } from '../duration.js';
import { usageError } from '../errors.js';
import type { EnvStatus, EnvStatusSource } from '../status/env.js';
import type { TrafficReader } from './open.js';
import {
  attachDeploymentTraffic,
  trafficStatus,
  type RowTraffic,
  type TrafficStatus,
} from '../traefik/traffic.js';

/**
 * `status --traffic`: deployments whose share of 5xx in the window is above a threshold, and
 * deployments Traefik has counted no request for in a long time (idle previews: `app prune`
 * candidates). Traefik's counters start with its process, so "no request for a long time" is "none
 * since Traefik started", and is only said once Traefik and the deployment are both older than
 * the idle time.
 */

export interface TrafficThresholds {
  /** 0..1: a 5xx share above it is a problem. */
  maxShare5xx: number;
  idleAfterMs: number;
}

export const DEFAULT_THRESHOLDS: TrafficThresholds = { maxShare5xx: 0.05, idleAfterMs: 86_400_000 };

/** The traffic problems of one deployment (pure). */
export function trafficProblems(
  deployment: { deployedAt: string },
  traffic: RowTraffic | undefined,
  status: TrafficStatus,
  thresholds: TrafficThresholds,
  now: number,
): string[] {
  if (traffic === undefined || status.state !== 'ready') return [];
  const problems: string[] = [];
  if (traffic.share5xx !== null && traffic.share5xx > thresholds.maxShare5xx) {
    problems.push(
      `5xx on ${percent(traffic.share5xx)} of ${traffic.requests} requests in the last ${traffic.windowSeconds.toFixed(0)}s (more than ${percent(thresholds.maxShare5xx)})`,
    );
  }
  const startedAt = status.traefikStartedAt;
  const deployedAt = Date.parse(deployment.deployedAt);
  if (
    traffic.requestsSinceStart === 0 &&
    startedAt !== undefined &&
    now - startedAt >= thresholds.idleAfterMs &&
    !Number.isNaN(deployedAt) &&
    now - deployedAt >= thresholds.idleAfterMs
  ) {
    problems.push(
      `idle: no request since Traefik started ${ago(now - startedAt)} ago; \`app prune\` can remove it`,
    );
  }
  return problems;
}

function percent(share: number): string {
  const value = share * 100;
  return `${value < 10 ? value.toFixed(1).replace(/\.0$/, '') : value.toFixed(0)}%`;
}

function ago(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${Math.max(1, minutes)}m`;
  const hours = Math.floor(minutes / 60);
  return hours < 48 ? `${hours}h` : `${Math.floor(hours / 24)}d`;
}

export type StatusWithTraffic = EnvStatus & {
  deployments: (EnvStatus['deployments'][number] & { traffic?: RowTraffic | undefined })[];
  traffic?: TrafficStatus | undefined;
};

/** A status source whose reads carry traffic and its problems; the window is read beside ECS. */
export function statusWithTraffic(
  source: EnvStatusSource,
  reader: TrafficReader,
  options: { waitForWindow: boolean; thresholds: TrafficThresholds; now?: () => number },
): EnvStatusSource & { read(): Promise<StatusWithTraffic> } {
  let waitForWindow = options.waitForWindow;
  const now = options.now ?? Date.now;
  return {
    ...source,
    async read(): Promise<StatusWithTraffic> {
      const [status, reading] = await Promise.all([source.read(), reader.read({ waitForWindow })]);
      waitForWindow = false;
      const traffic = trafficStatus(reading);
      let added = 0;
      const at = now();
      const deployments = attachDeploymentTraffic(status.deployments, reading).map((row) => {
        const more = trafficProblems(row, row.traffic, traffic, options.thresholds, at);
        added += more.length;
        return more.length === 0 ? row : { ...row, problems: [...row.problems, ...more] };
      });
      // Worst first, as before; rows with as many problems keep their order.
      deployments.sort((a, b) => b.problems.length - a.problems.length);
      return { ...status, deployments, problems: status.problems + added, traffic };
    },
  };
}

/** `--max-5xx`: a percentage from 0 to 100. */
export function parseMaxShare(text: string): number {
  const value = Number(text.trim().replace(/%$/, ''));
  if (text.trim() === '' || !Number.isFinite(value) || value < 0 || value > 100) {
    throw usageError(
      `--max-5xx ${JSON.stringify(text)} is not a percentage from 0 to 100.`,
      ['Pass one such as --max-5xx 5 (the default) or --max-5xx 1.5.'],
      'MAX_5XX_INVALID',
    );
  }
  return value / 100;
}

/** `--idle-after`: a duration of at least a second. */
export function parseIdleAfter(text: string): number {
  const ms = durationMs(text) ?? Number.NaN;
  if (!Number.isFinite(ms) || ms < 1_000) {
    throw usageError(
      `--idle-after ${JSON.stringify(text)} is not a duration of at least 1s.`,
      ['Pass one such as --idle-after 24h (the default), --idle-after 3d or --idle-after 90m.'],
      'IDLE_AFTER_INVALID',
    );
  }
  return Math.round(ms);
}
