import { matchesFilter, type RouteFilter } from '../../lib/routes/filter.js';
import { routeLabel } from '../../lib/routes/find.js';
import type { Route, StatusCounts } from '../../lib/routes/join.js';
import type { RouteChanges } from '../../lib/routes/watch.js';
import { visible } from '../visible.js';
import { routeAge, routeAppTag, routeServers, routeTarget } from './format.js';
import { compareTraffic, hasTraffic, TRAFFIC_SORTS, type TrafficSortKey } from './watch-traffic.js';

/**
 * The watch view as data: which rows, in which order, marked how, cut to which widths. Pure, so
 * the ink component only draws, and 10,000 routes cost one filter and one sort per refresh.
 */

export const SORTS = ['name', 'status', 'host', 'age'] as const;
/** The usual sorts, then (with --traffic) those by req/s, 4xx, 5xx, p50 and p95. */
export type SortKey = (typeof SORTS)[number] | TrafficSortKey;

export type RowMark = 'added' | 'changed' | 'removed';

export interface Row {
  route: Route;
  mark: RowMark | undefined;
}

export function nextSort(sort: SortKey, withTraffic = false): SortKey {
  const sorts: readonly SortKey[] = withTraffic ? [...SORTS, ...TRAFFIC_SORTS] : SORTS;
  return sorts[(sorts.indexOf(sort) + 1) % sorts.length] ?? 'name';
}

const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Problems first: missing, disabled, other attention, warnings; then healthy ones. */
function severity(route: Route): number {
  if (route.status === 'missing') return 0;
  if (route.status === 'disabled') return 1;
  if (route.attention.length > 0) return 2;
  if (route.status === 'warning') return 3;
  return 4;
}

function deployedAt(route: Route): number {
  const at = route.deployment?.deployedAt;
  const time = at === undefined ? Number.NaN : Date.parse(at);
  return Number.isNaN(time) ? -Infinity : time;
}

export function compareRoutes(sort: SortKey): (a: Route, b: Route) => number {
  const byName = (a: Route, b: Route) => compareText(a.name, b.name) || compareText(a.protocol, b.protocol);
  switch (sort) {
    case 'name':
      return byName;
    case 'status':
      return (a, b) => severity(a) - severity(b) || byName(a, b);
    case 'host':
      return (a, b) => compareText(routeTarget(a), routeTarget(b)) || byName(a, b);
    case 'age':
      // Newest deployments first.
      return (a, b) => deployedAt(b) - deployedAt(a) || byName(a, b);
    case 'req/s':
    case '4xx':
    case '5xx':
    case 'p50':
    case 'p95': {
      const byTraffic = compareTraffic(sort);
      return (a, b) => byTraffic(a, b) || byName(a, b);
    }
  }
}

/** The rows to show: matching routes plus, for one refresh, the matching ones just removed. */
export function buildRows(
  routes: readonly Route[],
  changes: RouteChanges,
  filter: RouteFilter,
  sort: SortKey,
): Row[] {
  const rows: Row[] = [];
  for (const route of routes) {
    if (!matchesFilter(route, filter)) continue;
    const mark = changes.added.has(routeLabel(route))
      ? 'added'
      : changes.changed.has(routeLabel(route))
        ? 'changed'
        : undefined;
    rows.push({ route, mark });
  }
  for (const route of changes.removed)
    if (matchesFilter(route, filter)) rows.push({ route, mark: 'removed' });
  const compare = compareRoutes(sort);
  return rows.sort((a, b) => compare(a.route, b.route));
}

export interface Widths {
  host: number;
  status: number;
  servers: number;
  provider: number;
  appTag: number;
  age: number;
}

const GAP = 2;
const MARK = 2;

/**
 * Column widths that fit `width`, so no row ever wraps: fixed columns first, then the host and
 * app/tag share the rest, each never wider than its longest value (a wide terminal keeps the
 * columns together instead of spreading them apart).
 */
export function columnWidths(rows: readonly Row[], width: number): Widths {
  let provider = 'provider'.length;
  let appTag = 'app/tag'.length;
  let hostText = 'host'.length;
  for (const { route } of rows) {
    provider = Math.max(provider, visible(route.provider).length);
    appTag = Math.max(appTag, visible(routeAppTag(route)).length);
    hostText = Math.max(hostText, visible(routeTarget(route)).length);
  }
  const status = 'disabled'.length;
  const servers = 'servers'.length;
  const age = 4;
  provider = Math.min(provider, 14);
  const fixed = MARK + status + servers + provider + age + GAP * 5;
  const flexible = Math.max(0, width - 1 - fixed);
  const appShare = Math.min(appTag, Math.max(7, Math.floor(flexible * 0.4)));
  const host = Math.max(4, Math.min(hostText, flexible - appShare));
  // Whatever the host doesn't need goes back to app/tag.
  return { host, status, servers, provider, appTag: Math.min(appTag, flexible - host), age };
}

/** Cuts text to `width` characters, ending in `…` when it was longer. */
export function fit(text: string, width: number): string {
  if (width <= 0) return '';
  if (text.length <= width) return text.padEnd(width);
  return `${text.slice(0, Math.max(0, width - 1))}…`;
}

export function fitRight(text: string, width: number): string {
  return text.length <= width ? text.padStart(width) : fit(text, width);
}

/** The cells of one row, made visible and cut to their widths (colour is added by the component). */
export function rowCells(route: Route, widths: Widths, now: number) {
  return {
    host: fit(visible(routeTarget(route)), widths.host),
    status: fit(route.status, widths.status),
    servers: fitRight(routeServers(route), widths.servers),
    provider: fit(visible(route.provider), widths.provider),
    appTag: fit(visible(routeAppTag(route)), widths.appTag),
    age: fitRight(routeAge(route, now), widths.age),
  };
}

/** The first visible row, so that `selected` stays on screen with as little scrolling as possible. */
export function scrollTop(previousTop: number, selected: number, visible: number, total: number): number {
  if (visible <= 0) return 0;
  let top = Math.min(previousTop, Math.max(0, total - visible));
  if (selected < top) top = selected;
  if (selected >= top + visible) top = selected - visible + 1;
  return Math.max(0, top);
}

export function countsLine(counts: StatusCounts): string {
  const parts = [`${counts.enabled} enabled`, `${counts.warning} warning`, `${counts.disabled} disabled`];
  if (counts.missing > 0) parts.push(`${counts.missing} missing`);
  return parts.join('  ');
}

export type ViewMode = 'table' | 'filter' | 'details';

/** What the keys change; pure so that every key press sees the state the previous one left. */
export interface ViewState {
  mode: ViewMode;
  /** Text typed after `/`, on top of the command's filters. */
  search: string;
  sort: SortKey;
  /** The selected route's label, followed across refreshes and re-sorts. */
  selectedName: string | undefined;
  /** Where the selection was, for when its route disappears. */
  selectedIndex: number;
  exit?: 'quit' | 'interrupt' | undefined;
}

export const INITIAL_VIEW: ViewState = {
  mode: 'table',
  search: '',
  sort: 'name',
  selectedName: undefined,
  selectedIndex: 0,
};

/** The subset of ink's `Key` the view reads. */
export interface KeyPress {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  backspace?: boolean;
  delete?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

function rowLabel(row: Row | undefined): string | undefined {
  return row === undefined ? undefined : routeLabel(row.route);
}

/** The row index of the selection: its route if still shown, else the same position. */
export function selectedPosition(rows: readonly Row[], view: ViewState): number {
  const byName =
    view.selectedName === undefined
      ? -1
      : rows.findIndex((row) => routeLabel(row.route) === view.selectedName);
  return byName !== -1 ? byName : Math.min(view.selectedIndex, Math.max(0, rows.length - 1));
}

export function reduceKey(
  view: ViewState,
  press: { input: string; key: KeyPress; rows: readonly Row[]; page: number },
): ViewState {
  const { input, key, rows } = press;
  if (key.ctrl && input === 'c') return { ...view, exit: 'interrupt' };
  if (view.mode === 'filter') {
    if (key.return) return { ...view, mode: 'table' };
    if (key.escape) return { ...view, mode: 'table', search: '' };
    if (key.backspace || key.delete) return { ...view, search: view.search.slice(0, -1) };
    if (input !== '' && !key.ctrl && !key.meta) return { ...view, search: view.search + input };
    return view;
  }
  if (input === 'q') return { ...view, exit: 'quit' };
  if (view.mode === 'details') {
    return key.escape || key.return || key.leftArrow || key.backspace ? { ...view, mode: 'table' } : view;
  }
  const selected = selectedPosition(rows, view);
  const select = (index: number): ViewState => {
    const bounded = Math.max(0, Math.min(index, rows.length - 1));
    return { ...view, selectedIndex: bounded, selectedName: rowLabel(rows[bounded]) };
  };
  if (input === '/') return { ...view, mode: 'filter' };
  if (input === 's') return { ...view, sort: nextSort(view.sort, hasTraffic(rows.map((row) => row.route))) };
  if (key.escape) return view.search === '' ? view : { ...view, search: '' };
  if (key.upArrow || input === 'k') return select(selected - 1);
  if (key.downArrow || input === 'j') return select(selected + 1);
  if (key.pageUp) return select(selected - press.page);
  if (key.pageDown) return select(selected + press.page);
  if (key.return && rows[selected] !== undefined) {
    return { ...select(selected), mode: 'details' };
  }
  return view;
}
