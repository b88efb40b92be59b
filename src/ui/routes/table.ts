import { routeLabel } from '../../lib/routes/find.js';
import type { Route } from '../../lib/routes/join.js';
import type { Presentation } from '../mode.js';
import type { Stylist } from '../style.js';
import { renderTable, type Column } from '../table.js';
import { visible } from '../visible.js';
import {
  routeAge,
  routeAppTag,
  routeServers,
  routeTarget,
  serversTone,
  statusTone,
  type Tone,
} from './format.js';

export function paint(s: Stylist, tone: Tone, text: string): string {
  switch (tone) {
    case 'good':
      return s.green(text);
    case 'warn':
      return s.yellow(text);
    case 'bad':
      return s.red(text);
    case 'plain':
      return text;
  }
}

/**
 * The columns of `traefikctl routes`. A terminal gets relative ages; a pipe gets ISO 8601 times
 * (STYLE.md §8) and the same columns, so `cut -f1` gives hosts and `cut -f7` router names.
 */
export function routeColumns(presentation: Presentation, now: number): Column<Route>[] {
  const tty = presentation.stdoutIsTty;
  return [
    { header: 'host', value: routeTarget },
    {
      header: 'status',
      value: (route) => route.status,
      styled: (route, s, text) => paint(s, statusTone(route.status), text),
    },
    {
      header: 'servers',
      value: routeServers,
      styled: (route, s, text) => paint(s, serversTone(route), text),
      align: 'right',
    },
    { header: 'provider', value: (route) => route.provider },
    { header: 'app/tag', value: routeAppTag },
    {
      header: 'age',
      value: (route) => (tty ? routeAge(route, now) : (route.deployment?.deployedAt ?? '-')),
      align: 'right',
    },
    { header: 'router', value: routeLabel },
  ];
}

export function renderRoutesTable(
  routes: readonly Route[],
  presentation: Presentation,
  now = Date.now(),
  /** More columns after the usual ones (the traffic columns, src/ui/traffic.ts). */
  extra: readonly Column<Route>[] = [],
): string {
  return renderTable(routes, [...routeColumns(presentation, now), ...extra], presentation);
}

/** One stderr line after the table: how many routes need a look, and how to see why. */
export function attentionHint(routes: readonly Route[]): string | undefined {
  const flagged = routes.filter((route) => route.attention.length > 0);
  const [first] = flagged;
  if (first === undefined) return undefined;
  const what = flagged.length === 1 ? '1 route needs' : `${flagged.length} routes need`;
  return `${what} attention; see why with \`traefikctl routes show ${visible(routeLabel(first))}\`.`;
}
