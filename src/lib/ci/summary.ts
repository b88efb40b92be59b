/**
 * What a job summary says, as plain data (pure): `github.ts` writes it through the toolkit's summary
 * builder, tests read it back from GITHUB_STEP_SUMMARY. One function per command.
 */
import type { DeployResult, PhaseRecord } from '../model.js';
import type { DestroyedDeployment } from '../app/destroy.js';
import type { PruneResult } from '../app/prune.js';
import type { AppUrlsResult } from '../app/urls.js';
import { describeError, exitCodeOf, isUserError } from '../errors.js';

export type SummaryBlock =
  | { kind: 'heading'; text: string; level: 2 | 3 }
  | { kind: 'text'; text: string }
  /** The first row is the header. Cells are plain text; `link` cells become links. */
  | { kind: 'table'; rows: SummaryCell[][] }
  | { kind: 'code'; text: string }
  | { kind: 'list'; items: string[] };

export type SummaryCell = string | { text: string; link: string };

/** Markdown's and HTML's special characters, so that outside text (a log line) stays text. */
export function escapeText(text: string): string {
  return text.replace(/[&<>"`|*_[\]\\]/g, (char) => `&#${char.charCodeAt(0)};`);
}

function seconds(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const STATUS_MARK: Record<PhaseRecord['status'], string> = {
  done: '✅ done',
  failed: '❌ failed',
  running: '⏳ running',
  skipped: '⏭️ skipped',
};

function phaseTable(phases: readonly PhaseRecord[]): SummaryBlock {
  return {
    kind: 'table',
    rows: [
      ['Phase', 'Status', 'Time', 'Detail'],
      ...phases.map((phase) => [
        phase.title,
        STATUS_MARK[phase.status],
        seconds(phase.elapsedMs),
        phase.detail ?? '',
      ]),
    ],
  };
}

/** The digest of a digest-pinned reference (`repo@sha256:…`). */
export function imageDigest(image: string): string | undefined {
  return /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
}

export function deploySummary(result: DeployResult): SummaryBlock[] {
  const waited =
    result.status === 'live' ? 'live' : result.status === 'rolled-out' ? 'rolled out' : 'applied';
  return [
    { kind: 'heading', text: `🚀 ${result.app} ${result.tag} is ${waited} on ${result.env}`, level: 2 },
    {
      kind: 'table',
      rows: [
        ['', ''],
        ['URL', { text: result.url, link: result.url }],
        ['Service', result.service],
        ['Image', result.image],
        ['Digest', imageDigest(result.image) ?? '(not pinned)'],
        ['Action', result.action],
        ...(result.expiresAt === undefined ? [] : [['Expires', result.expiresAt]]),
      ],
    },
    phaseTable(result.phases),
  ];
}

export interface FailedDeploy {
  app: string | undefined;
  tag: string;
  env: string | undefined;
  phases: readonly PhaseRecord[];
  error: unknown;
}

/**
 * A failed deploy: the reason, then what the rollout found (the stopped task's report and its last
 * log lines travel as the error's `log:` suggestions), then the phases up to the failure.
 */
export function deployFailureSummary(failure: FailedDeploy): SummaryBlock[] {
  const suggestions = isUserError(failure.error) ? [...failure.error.suggestions] : [];
  const logLines = suggestions.filter((line) => line.startsWith('log: ')).map((line) => line.slice(5));
  const steps = suggestions.filter((line) => !line.startsWith('log: '));
  const where = [failure.app, failure.tag].filter(Boolean).join(' ');
  return [
    {
      kind: 'heading',
      text: `❌ Deploy of ${where}${failure.env === undefined ? '' : ` on ${failure.env}`} failed (exit ${exitCodeOf(failure.error)})`,
      level: 2,
    },
    { kind: 'text', text: describeError(failure.error) },
    ...(logLines.length === 0
      ? []
      : [
          { kind: 'heading', text: 'Last log lines', level: 3 } as const,
          { kind: 'code', text: logLines.join('\n') } as const,
        ]),
    ...(steps.length === 0 ? [] : [{ kind: 'list', items: steps } as const]),
    ...(failure.phases.length === 0 ? [] : [phaseTable(failure.phases)]),
  ];
}

export function destroySummary(
  removed: DestroyedDeployment | undefined,
  asked: { app: string; tag: string },
): SummaryBlock[] {
  if (removed === undefined)
    return [{ kind: 'heading', text: `${asked.app} ${asked.tag}: nothing was removed`, level: 2 }];
  return [
    {
      kind: 'heading',
      text: `🧹 ${removed.app} ${removed.tag} on ${removed.env}: ${removed.status}`,
      level: 2,
    },
    ...(removed.reason === undefined ? [] : [{ kind: 'text', text: removed.reason } as const]),
    {
      kind: 'table',
      rows: [
        ['Service', 'Task definitions deregistered'],
        [removed.service, removed.taskDefinitions.join(', ') || '(none)'],
      ],
    },
  ];
}

export function pruneSummary(result: PruneResult): SummaryBlock[] {
  const verb = result.dryRun ? 'would remove' : 'removed';
  return [
    {
      kind: 'heading',
      text: `🧹 Prune of ${result.env}: ${result.deployments.length} ${verb}, ${result.kept} kept`,
      level: 2,
    },
    ...(result.deployments.length === 0
      ? []
      : [
          {
            kind: 'table' as const,
            rows: [
              ['App', 'Tag', 'Host', 'Why', 'Status'],
              ...result.deployments.map((d) => [
                d.app,
                d.tag,
                d.host,
                d.reasons.join('; '),
                d.reason === undefined ? d.status : `${d.status}: ${d.reason}`,
              ]),
            ],
          },
        ]),
  ];
}

export function urlsSummary(result: AppUrlsResult): SummaryBlock[] {
  return [
    {
      kind: 'heading',
      text: `🔗 ${result.deployments.length} deployment${result.deployments.length === 1 ? '' : 's'} on ${result.env}`,
      level: 2,
    },
    ...(result.deployments.length === 0
      ? []
      : [
          {
            kind: 'table' as const,
            rows: [
              ['App', 'Tag', 'URL', 'Tasks', 'Check'],
              ...result.deployments.map((d): SummaryCell[] => [
                d.app,
                d.tag,
                { text: d.url, link: d.url },
                `${d.running}/${d.desired}`,
                d.check === undefined
                  ? ''
                  : d.check.ok
                    ? `✅ ${d.check.status ?? ''}`.trim()
                    : `❌ ${d.check.error ?? d.check.status ?? ''}`.trim(),
              ]),
            ],
          },
        ]),
  ];
}
