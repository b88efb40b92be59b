import { describe, expect, it } from 'vitest';

import type { AppUrlsResult, DeploymentUrl } from '../../src/lib/app/urls.js';
import { principal, renderUrlsTable, urlsNotes } from '../../src/ui/app-urls.js';
import type { Presentation } from '../../src/ui/mode.js';
import { stylist } from '../../src/ui/style.js';

const NOW = Date.parse('2026-08-22T12:00:00.000Z');
const terminal: Presentation = { mode: 'tty', stdoutIsTty: true, color: false, interactive: true };
const pipe: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

const row = (tag: string, extra: Partial<DeploymentUrl> = {}): DeploymentUrl => ({
  app: 'whoami',
  tag,
  env: 'dev',
  host: `whoami-${tag}.dev.example.com`,
  url: `https://whoami-${tag}.dev.example.com`,
  service: `whoami-${tag}`,
  running: 1,
  desired: 1,
  pending: 0,
  rollout: 'COMPLETED',
  deployedAt: '2026-08-22T09:00:00.000Z',
  deployedBy: 'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_1/jane@example.com',
  image: 'repo@sha256:abc',
  ...extra,
});

const result: AppUrlsResult = {
  env: 'dev',
  target: 'ecs',
  cluster: 'traefikctl-dev',
  traefik: { status: 'ok', apiUrl: 'https://traefik.dev.example.com' },
  deployments: [
    row('v2', {
      route: { status: 'enabled', serversUp: 2, serversTotal: 2, attention: [] },
      expiresAt: '2026-08-25T12:00:00.000Z',
    }),
    row('v1', {
      running: 0,
      rollout: 'IN_PROGRESS',
      route: { status: 'missing', serversUp: 0, serversTotal: 0, attention: ['not discovered'] },
      deployedAt: '2026-08-12T12:00:00.000Z',
      expiresAt: '2026-08-20T12:00:00.000Z',
    }),
  ],
};

describe('renderUrlsTable', () => {
  it('shows a header, relative ages and short principals on a terminal', () => {
    expect(renderUrlsTable(result, terminal, NOW)).toBe(
      [
        'APP     TAG  URL                                ECS  ROLLOUT      ROUTE    SERVERS  AGE  BY                EXPIRES',
        'whoami  v2   https://whoami-v2.dev.example.com  1/1  completed    enabled      2/2   3h  jane@example.com  in 3d',
        'whoami  v1   https://whoami-v1.dev.example.com  0/1  in progress  missing      0/0  10d  jane@example.com  expired',
        '',
      ].join('\n'),
    );
  });

  it("heads the running/desired column with the env's target: ECS tasks or local containers", () => {
    const header = (target: AppUrlsResult['target']) =>
      renderUrlsTable({ ...result, target }, terminal, NOW).split('\n')[0] ?? '';
    expect(header('ecs')).toMatch(/^APP +TAG +URL +ECS +ROLLOUT/);
    expect(header('docker')).toMatch(/^APP +TAG +URL +DOCKER +ROLLOUT/);
  });

  it('prints tab-separated rows with ISO times and whole ARNs in a pipe', () => {
    const lines = renderUrlsTable(result, pipe, NOW).split('\n');
    expect(lines[0]?.split('\t')).toEqual([
      'whoami',
      'v2',
      'https://whoami-v2.dev.example.com',
      '1/1',
      'completed',
      'enabled',
      '2/2',
      '2026-08-22T09:00:00.000Z',
      'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_Dev_1/jane@example.com',
      '2026-08-25T12:00:00.000Z',
    ]);
    expect(lines).toHaveLength(3);
  });

  it('adds the check column with --check, and dashes where Traefik was not read', () => {
    const checked: AppUrlsResult = {
      ...result,
      traefik: { status: 'skipped', message: 'no Traefik API is configured' },
      deployments: [
        row('v2', { check: { url: 'u', ok: true, status: 200, elapsedMs: 12 } }),
        row('v1', { check: { url: 'u', ok: false, error: 'no answer within 5s', elapsedMs: 5000 } }),
      ],
    };
    const lines = renderUrlsTable(checked, pipe, NOW)
      .split('\n')
      .map((line) => line.split('\t'));
    expect(lines[0]?.slice(5, 7)).toEqual(['-', '-']);
    expect(lines.map((cells) => cells[10])).toEqual(['200 12ms', 'no answer within 5s', undefined]);
  });
});

describe('urlsNotes', () => {
  const s = stylist(false);
  it('says why route status is missing and which URLs failed', () => {
    expect(
      urlsNotes(
        {
          ...result,
          traefik: {
            status: 'failed',
            message: "Traefik's API at https://t refuses the password (401)",
            suggestions: ['Check TRAEFIKCTL_TRAEFIK_PASSWORD.'],
          },
          deployments: [
            row('v1', {
              check: { url: 'https://whoami-v1.dev.example.com', ok: false, status: 502, elapsedMs: 3 },
            }),
          ],
        },
        s,
      ),
    ).toEqual([
      "! Route status not shown: Traefik's API at https://t refuses the password (401)",
      '  → Check TRAEFIKCTL_TRAEFIK_PASSWORD.',
      '✗ 1 of 1 URL did not answer: https://whoami-v1.dev.example.com (502 3ms)',
    ]);
  });

  it('says a URL that fails because its tag is scaled to 0 is scaled to 0', () => {
    const failing = (tag: string, desired: number) =>
      row(tag, {
        desired,
        running: 0,
        check: { url: `https://whoami-${tag}.dev.example.com`, ok: false, status: 404, elapsedMs: 4 },
      });
    expect(urlsNotes({ ...result, deployments: [failing('v1', 0), failing('v2', 1)] }, s).at(-1)).toBe(
      '✗ 2 of 2 URLs did not answer: https://whoami-v1.dev.example.com (404 4ms, scaled to 0), https://whoami-v2.dev.example.com (404 4ms)',
    );
  });

  it('says how to deploy when the env is empty', () => {
    expect(urlsNotes({ ...result, deployments: [] }, s)).toEqual([
      'No deployments in env dev. Deploy one with `traefikctl app deploy <app> --tag <tag> --env dev`.',
    ]);
  });
});

describe('principal', () => {
  it('keeps the part of a caller ARN that names a person or a job', () => {
    expect(principal('arn:aws:sts::1:assumed-role/ci/run#42')).toBe('run#42');
    expect(principal('arn:aws:iam::1:user/jane')).toBe('jane');
    expect(principal('arn:aws:iam::1:root')).toBe('root');
    expect(principal('someone')).toBe('someone');
  });
});
