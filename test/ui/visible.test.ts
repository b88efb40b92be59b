/**
 * Outside text reaches the terminal with its control characters shown, never obeyed (issue 14):
 * the one function that does it, and each renderer that prints text from Traefik, AWS or an app.
 */
import { describe, expect, it } from 'vitest';

import type { LogLine } from '../../src/lib/app/logs.js';
import { UserError } from '../../src/lib/errors.js';
import type { RoutesSnapshot } from '../../src/lib/routes/source.js';
import { NO_CHANGES, type WatchTick } from '../../src/lib/routes/watch.js';
import type { EnvStatus } from '../../src/lib/status/env.js';
import { formatLogLine } from '../../src/ui/app-logs.js';
import { formatError } from '../../src/ui/errors.js';
import type { Presentation } from '../../src/ui/mode.js';
import { createPlainRenderer } from '../../src/ui/plain-renderer.js';
import { formatRouteDetails } from '../../src/ui/routes/details.js';
import { attentionHint, renderRoutesTable } from '../../src/ui/routes/table.js';
import { WatchLines, watchSummary } from '../../src/ui/routes/watch-lines.js';
import { columnWidths, rowCells } from '../../src/ui/routes/watch-model.js';
import { renderEnvStatus, statusNotes } from '../../src/ui/status.js';
import { visible, visibleData } from '../../src/ui/visible.js';
import { ecsRoute } from '../lib/routes/route-factory.js';
import { controlsObeyed } from '../support/terminal-controls.js';

/** Sets the window title to PWNED, rings the bell, clears the screen. */
const EVIL = 'evil\u001b]0;PWNED\u0007\u001b[2J';
const SHOWN = 'evil^[]0;PWNED^G^[[2J';

const TERMINAL: Presentation = { mode: 'tty', stdoutIsTty: true, color: true, interactive: true };
const PIPE: Presentation = { mode: 'plain', stdoutIsTty: false, color: false, interactive: false };

const evilRoute = ecsRoute('evil', {
  name: `${EVIL}@ecs`,
  hosts: [`${EVIL}.dev.example.com`],
  rule: `Host(\`${EVIL}.dev.example.com\`)`,
  provider: 'ecs',
  errors: [`the service "${EVIL}@ecs" does not exist`],
  attention: [{ kind: 'router-error', message: `Traefik: ${EVIL}` }],
  servers: [{ address: `http://${EVIL}:80`, status: 'DOWN', service: `${EVIL}@ecs` }],
  serversUp: 0,
  deployment: { app: EVIL, tag: EVIL, env: 'dev', host: 'h', service: 's' },
});

describe('visible', () => {
  it('shows C0 controls in caret notation, DEL as ^?, and C1 controls in hex', () => {
    expect(visible(EVIL)).toBe(SHOWN);
    expect(visible('a\u007fb\u009b2Jc\u0085d')).toBe('a^?b\\x9b2Jc\\x85d');
    expect(visible('tab\there\nnext\r')).toBe('tab^Ihere^Jnext^M');
  });

  it('keeps tabs and line breaks of multi-line text, and nothing else', () => {
    expect(visible('at a\r\n\tat b\rX\u001b[1A', { layout: true })).toBe('at a\n\tat b^MX^[[1A');
  });

  it('keeps colour codes when asked, and shows every other control around them', () => {
    const text = `\u001b[33m!\u001b[39m ECS says ${EVIL}\n  \u001b[2m→\u001b[22m retry`;
    expect(visible(text, { layout: true, colour: true })).toBe(
      `\u001b[33m!\u001b[39m ECS says ${SHOWN}\n  \u001b[2m→\u001b[22m retry`,
    );
  });

  it('leaves ordinary text, Unicode included, as it is', () => {
    const text = 'whoami-v2.dev.example.com ✓ é 日本 → —';
    expect(visible(text)).toBe(text);
  });

  it('copies only what changes in plain data', () => {
    const clean = { a: ['x', { b: 'y' }], n: 1 };
    expect(visibleData(clean)).toBe(clean);
    const dirty = { a: ['x', { b: '\u001b' }], n: 1 };
    expect(visibleData(dirty)).toEqual({ a: ['x', { b: '^[' }], n: 1 });
    expect(dirty.a[1]).toEqual({ b: '\u001b' });
  });
});

describe('renderers of outside text', () => {
  it('routes: the table on a terminal and in a pipe, and its hint', () => {
    for (const presentation of [TERMINAL, PIPE]) {
      const table = renderRoutesTable([evilRoute], presentation, Date.parse('2026-08-02T00:00:00Z'));
      expect(controlsObeyed(table)).toEqual([]);
      expect(table).toContain(`${SHOWN}@ecs`);
    }
    expect(attentionHint([evilRoute])).toContain(`routes show ${SHOWN}@ecs`);
  });

  it('routes show: every field of the route', () => {
    const details = formatRouteDetails(evilRoute, true);
    expect(controlsObeyed(details)).toEqual([]);
    expect(details).toContain(SHOWN);
  });

  it('routes --watch: the rows of the terminal view, and the lines without a terminal', () => {
    const rows = [{ route: evilRoute, mark: undefined }];
    const cells = rowCells(evilRoute, columnWidths(rows, 200), Date.now());
    expect(controlsObeyed(Object.values(cells).join(' '))).toEqual([]);
    expect(cells.host).toContain(SHOWN);

    const lines = new WatchLines({});
    const snapshot = {
      routes: [evilRoute],
      version: `3.7.9${EVIL}`,
      fetchedAt: 0,
      durationMs: 1,
      deploymentsKnown: true,
      ecsProblem: `ECS says ${EVIL}`,
    };
    const printed = lines.lines(tick(snapshot), 0);
    const failed = lines.lines(
      { ...tick(snapshot), error: new Error(`Traefik says ${EVIL}`), failures: 1 },
      0,
    );
    const all = [...printed.stdout, ...printed.stderr, ...failed.stderr].join('\n');
    expect(controlsObeyed(all)).toEqual([]);
    expect(all).toContain(SHOWN);
    expect(controlsObeyed(watchSummary(tick(snapshot)))).toEqual([]);
  });

  it('status: the header, the table, the stray routers and the notes', () => {
    const status: EnvStatus = {
      env: 'dev',
      target: 'ecs',
      checkedAt: '2026-08-02T00:00:00Z',
      cluster: { stackName: 's', stackStatus: `UPDATE_FAILED${EVIL}`, name: 'c', problems: [EVIL] },
      traefik: { apiUrl: 'http://127.0.0.1:1', version: EVIL, problems: [EVIL] },
      deployments: [
        {
          app: 'whoami',
          tag: EVIL,
          url: `http://${EVIL}`,
          service: 's',
          running: 1,
          desired: 1,
          deployedAt: '2026-08-01T00:00:00Z',
          problems: [EVIL],
        },
      ],
      strays: [{ name: `${EVIL}@ecs`, status: 'disabled', problems: [EVIL] }],
      problems: 4,
    };
    for (const presentation of [TERMINAL, PIPE]) {
      const text = renderEnvStatus(status, presentation);
      expect(controlsObeyed(text)).toEqual([]);
      expect(text).toContain(SHOWN);
    }
    expect(controlsObeyed(statusNotes(status).join('\n'))).toEqual([]);
  });

  it('app logs: a line keeps its tabs and line breaks, not its escape sequences', () => {
    const line: LogLine = {
      timestamp: Date.parse('2026-08-02T00:00:00Z'),
      stream: 'whoami-v2/app/abc',
      task: 'abc',
      message: `${EVIL}\n\tat main`,
    };
    for (const presentation of [TERMINAL, PIPE]) {
      const text = formatLogLine(line, presentation);
      expect(controlsObeyed(text)).toEqual([]);
      expect(text).toContain(`${SHOWN}\n\tat main`);
    }
  });

  it('errors: a message and suggestions that quote outside text', () => {
    const error = new UserError(`Traefik's API answers ${EVIL}.`, { suggestions: [`Check ${EVIL}.`] });
    const text = formatError(error, { color: true, debug: false });
    expect(controlsObeyed(text)).toEqual([]);
    expect(text).toContain(`answers ${SHOWN}.`);
    expect(text).toContain(`Check ${SHOWN}.`);
  });

  it('progress: phase details, steps and warnings quoting service events and log lines', () => {
    let written = '';
    const stream = { write: (text: string) => (written += text) } as unknown as NodeJS.WriteStream;
    const renderer = createPlainRenderer({ color: true, stream });
    renderer.emit({ type: 'phase', id: 'p', title: 'Rollout', status: 'failed', detail: EVIL });
    renderer.emit({ type: 'step', phase: 'p', message: `last log line: ${EVIL}` });
    renderer.emit({ type: 'warning', message: EVIL, hint: EVIL });
    expect(controlsObeyed(written)).toEqual([]);
    expect(written).toContain(`last log line: ${SHOWN}`);
  });
});

function tick(snapshot: RoutesSnapshot): WatchTick {
  return { snapshot, changes: NO_CHANGES, error: undefined, failures: 0, nextAt: 0 };
}
