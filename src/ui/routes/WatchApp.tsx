import { Box, Text, useApp, useInput, useStdout } from 'ink';
import { useEffect, useEffectEvent, useMemo, useReducer, useRef, useState } from 'react';

import { formatDuration, formatElapsed } from '../../lib/duration.js';
import { describeError } from '../../lib/errors.js';
import type { RouteFilter } from '../../lib/routes/filter.js';
import { routeLabel } from '../../lib/routes/find.js';
import { countRoutes, type Route } from '../../lib/routes/join.js';
import type { RoutesSource } from '../../lib/routes/source.js';
import { NO_CHANGES, watchRoutes, type WatchTick } from '../../lib/routes/watch.js';
import { stylist } from '../style.js';
import { terminalSize } from '../terminal-size.js';
import { DEFAULT_MAX_5XX_SHARE, TrafficHistory } from '../traffic.js';
import { visible } from '../visible.js';
import { routeDetailLines } from './details.js';
import { serversTone, statusTone, type Tone } from './format.js';
import {
  buildRows,
  columnWidths,
  fit,
  fitRight,
  rowCells,
  INITIAL_VIEW,
  reduceKey,
  scrollTop,
  selectedPosition,
  type Row,
  type RowMark,
  type SortKey,
} from './watch-model.js';
import {
  hasTraffic,
  TRAFFIC_WIDTH,
  trafficCells,
  trafficHeaderCells,
  trafficHeadline,
} from './watch-traffic.js';

export interface WatchExit {
  /** Ctrl-C rather than q. */
  interrupted: boolean;
  tick: WatchTick | undefined;
}

export interface WatchAppProps {
  source: RoutesSource;
  intervalMs: number;
  /** From the command's flags; `/` adds a search on top. */
  filter: RouteFilter;
  /** Terminal size; read from the output stream when absent. */
  width?: number | undefined;
  height?: number | undefined;
  /** Colour of the detail pane's pre-styled lines. */
  color?: boolean;
  onExit: (exit: WatchExit) => void;
  now?: () => number;
}

const TONE_COLOR: Record<Tone, string | undefined> = {
  good: 'green',
  warn: 'yellow',
  bad: 'red',
  plain: undefined,
};

/** Ink's `color` prop, left out rather than undefined (exactOptionalPropertyTypes). */
function colored(color: string | undefined): { color?: string } {
  return color === undefined ? {} : { color };
}

const MARKS: Record<RowMark, { text: string; color: string }> = {
  added: { text: '+', color: 'green' },
  changed: { text: '~', color: 'yellow' },
  removed: { text: '-', color: 'red' },
};

// Header (3 lines), column titles, footer.
const CHROME_LINES = 5;

function clock(epochMs: number): string {
  return new Date(epochMs).toTimeString().slice(0, 8);
}

/**
 * `routes --watch` on a terminal: a header with Traefik's version, counts by status and the last
 * refresh (or the current API failure), the table redrawn in place with changed rows marked for
 * one refresh, a filter, a detail pane and sorting. Only the rows that fit are drawn.
 */
export function WatchApp(props: WatchAppProps) {
  const { source, intervalMs, onExit } = props;
  const now = props.now ?? Date.now;
  const app = useApp();
  const stdout = useStdout().stdout as NodeJS.WriteStream;
  const size = terminalSize(stdout);
  const width = props.width ?? size.columns;
  const height = props.height ?? size.rows;

  const [tick, setTick] = useState<WatchTick | undefined>(undefined);
  const [view, dispatch] = useReducer(reduceKey, INITIAL_VIEW);
  const [top, setTop] = useState(0);
  const controller = useRef<AbortController | undefined>(undefined);
  const latest = useRef<WatchTick | undefined>(undefined);
  // req/s of the last refreshes per route, for the sparklines (with --traffic).
  // Mutated only by the refresh loop's callback (never during render), read by the table.
  const [history] = useState(() => new TrafficHistory());

  // The loop starts once for the life of the view, with the props it was mounted with.
  const startLoop = useEffectEvent((signal: AbortSignal) =>
    watchRoutes(source, {
      intervalMs,
      signal,
      onTick: (next) => {
        if (
          next.error === undefined &&
          next.snapshot !== undefined &&
          next.snapshot !== latest.current?.snapshot
        )
          history.update(next.snapshot.routes, routeLabel);
        latest.current = next;
        setTick(next);
      },
      now,
    }),
  );
  useEffect(() => {
    const abort = new AbortController();
    controller.current = abort;
    void startLoop(abort.signal);
    return () => abort.abort();
  }, []);

  const finish = useEffectEvent((exit: NonNullable<typeof view.exit>) => {
    controller.current?.abort();
    onExit({ interrupted: exit === 'interrupt', tick: latest.current });
    app.exit();
  });
  useEffect(() => {
    if (view.exit !== undefined) finish(view.exit);
  }, [view.exit]);

  const { mode, search, sort } = view;
  const snapshot = tick?.snapshot;
  const filter = useMemo(
    () => ({ ...props.filter, ...(search === '' ? {} : { search }) }),
    [props.filter, search],
  );
  const rows = useMemo(
    () =>
      buildRows(
        snapshot?.routes ?? [],
        tick?.error ? NO_CHANGES : (tick?.changes ?? NO_CHANGES),
        filter,
        sort,
      ),
    [snapshot, tick, filter, sort],
  );
  const counts = useMemo(() => countRoutes(snapshot?.routes ?? []), [snapshot]);

  const selected = selectedPosition(rows, view);
  const visible = Math.max(1, height - CHROME_LINES - 1);
  // The scroll position follows the selection; it is state kept from the previous render.
  const shownTop = scrollTop(top, selected, visible, rows.length);
  if (shownTop !== top) setTop(shownTop);
  const selectedName = mode === 'details' ? view.selectedName : undefined;

  useInput((input, key) => dispatch({ input, key, rows, page: visible }));

  const at = now();
  return (
    <Box flexDirection="column" width={width}>
      <Header
        tick={tick}
        apiUrl={source.apiUrl}
        env={source.env}
        counts={counts}
        shown={rows.length}
        intervalMs={intervalMs}
        width={width}
        filtered={search !== '' || Object.values(props.filter).some(Boolean)}
        now={at}
      />
      {mode === 'details' ? (
        <Details
          route={snapshot?.routes.find((route) => routeLabel(route) === selectedName)}
          name={selectedName}
          width={width}
          height={height - CHROME_LINES + 1}
          color={props.color ?? true}
          now={at}
        />
      ) : (
        <Table
          rows={rows}
          loaded={snapshot !== undefined}
          selected={selected}
          top={shownTop}
          visible={visible}
          width={width}
          now={at}
          history={history}
        />
      )}
      <Footer mode={mode} search={search} sort={sort} width={width} />
    </Box>
  );
}

function Header(props: {
  tick: WatchTick | undefined;
  apiUrl: string;
  env: string;
  counts: ReturnType<typeof countRoutes>;
  shown: number;
  intervalMs: number;
  width: number;
  filtered: boolean;
  now: number;
}) {
  const { tick, counts, width } = props;
  const snapshot = tick?.snapshot;
  const version = snapshot?.version === undefined ? 'Traefik' : `Traefik ${visible(snapshot.version)}`;
  const attention = counts.attention > 0 ? `   ${counts.attention} need attention` : '';
  const showing = props.filtered ? `   showing ${props.shown} of ${counts.total}` : '';
  let status: { text: string; color?: string };
  if (tick === undefined) status = { text: `Reading ${visible(props.apiUrl)} …` };
  else if (tick.error !== undefined) {
    const retry = Math.max(0, Math.round((tick.nextAt - props.now) / 1000));
    const since = snapshot === undefined ? '' : ` · showing data from ${clock(snapshot.fetchedAt)}`;
    status = {
      text: `✗ ${visible(describeError(tick.error))} · retrying in ${retry}s${since}`,
      color: 'red',
    };
  } else if (snapshot !== undefined) {
    status = {
      text: `↻ refreshed ${clock(snapshot.fetchedAt)} in ${formatElapsed(snapshot.durationMs)} · every ${formatDuration(props.intervalMs)}${
        snapshot.ecsProblem === undefined ? '' : ` · ${visible(snapshot.ecsProblem)}`
      }`,
      ...(snapshot.ecsProblem === undefined ? {} : { color: 'yellow' }),
    };
  } else status = { text: '' };
  const traffic = tick?.error === undefined ? trafficHeadline(snapshot?.traffic) : undefined;
  if (traffic !== undefined) {
    status = {
      text: `${status.text} · ${visible(traffic.text)}`,
      ...(traffic.warn ? { color: 'yellow' } : status.color === undefined ? {} : { color: status.color }),
    };
  }
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{version}</Text>
        <Text dimColor>
          {fit(
            visible(`  ${props.apiUrl}  env ${props.env}`),
            Math.max(0, width - version.length - 1),
          ).trimEnd()}
        </Text>
      </Text>
      <Text wrap="truncate-end">
        <Text color="green">{counts.enabled} enabled</Text>
        {'  '}
        <Text {...colored(counts.warning > 0 ? 'yellow' : undefined)}>{counts.warning} warning</Text>
        {'  '}
        <Text {...colored(counts.disabled > 0 ? 'red' : undefined)}>{counts.disabled} disabled</Text>
        {counts.missing > 0 ? <Text color="red">{`  ${counts.missing} missing`}</Text> : null}
        <Text color="yellow">{attention}</Text>
        <Text dimColor>{showing}</Text>
      </Text>
      <Text
        wrap="truncate-end"
        {...(status.color === undefined ? { dimColor: true } : { color: status.color })}
      >
        {status.text}
      </Text>
    </Box>
  );
}

function Table(props: {
  rows: readonly Row[];
  /** Whether Traefik answered once: before that, an empty table means nothing yet. */
  loaded: boolean;
  selected: number;
  top: number;
  visible: number;
  width: number;
  now: number;
  history: TrafficHistory;
}) {
  const { rows, width } = props;
  const traffic = hasTraffic(rows.map((row) => row.route));
  const widths = columnWidths(rows, traffic ? width - TRAFFIC_WIDTH : width);
  const header = `  ${[
    fit('HOST', widths.host),
    fit('STATUS', widths.status),
    fitRight('SERVERS', widths.servers),
    fit('PROVIDER', widths.provider),
    fit('APP/TAG', widths.appTag),
    fitRight('AGE', widths.age),
    ...(traffic ? [trafficHeaderCells()] : []),
  ].join('  ')}`;
  const shown = rows.slice(props.top, props.top + props.visible);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {header}
      </Text>
      {rows.length === 0 && props.loaded ? <Text dimColor>No routes match.</Text> : null}
      {shown.map((row, index) => (
        <RowLine
          key={`${row.mark ?? ''}${routeLabel(row.route)}`}
          row={row}
          widths={widths}
          selected={props.top + index === props.selected}
          now={props.now}
          trend={traffic ? props.history.values(routeLabel(row.route)) : undefined}
        />
      ))}
    </Box>
  );
}

function RowLine(props: {
  row: Row;
  widths: ReturnType<typeof columnWidths>;
  selected: boolean;
  now: number;
  /** With --traffic: the route's req/s over the last refreshes. */
  trend: readonly number[] | undefined;
}) {
  const { row, widths, selected } = props;
  const cells = rowCells(row.route, widths, props.now);
  const traffic =
    props.trend === undefined ? undefined : trafficCells(row.route, props.trend, DEFAULT_MAX_5XX_SHARE);
  const mark = row.mark === undefined ? undefined : MARKS[row.mark];
  const removed = row.mark === 'removed';
  const tone = (t: Tone) => (removed ? undefined : TONE_COLOR[t]);
  return (
    <Text wrap="truncate-end" inverse={selected} dimColor={removed}>
      <Text {...colored(mark?.color)}>{mark?.text ?? ' '}</Text> {cells.host}
      {'  '}
      <Text {...colored(tone(statusTone(row.route.status)))}>{cells.status}</Text>
      {'  '}
      <Text {...colored(tone(serversTone(row.route)))}>{cells.servers}</Text>
      {'  '}
      {cells.provider}
      {'  '}
      {cells.appTag}
      {'  '}
      {cells.age}
      {traffic === undefined ? null : (
        <>
          {'  '}
          {traffic.text.slice(0, 2).join('  ')}
          {'  '}
          <Text {...colored(traffic.hot && !removed ? 'red' : undefined)}>{traffic.text[2]}</Text>
          {'  '}
          {traffic.text.slice(3).join('  ')}
        </>
      )}
    </Text>
  );
}

function Details(props: {
  route: Route | undefined;
  name: string | undefined;
  width: number;
  height: number;
  color: boolean;
  now: number;
}) {
  if (props.route === undefined) {
    return (
      <Text color="yellow">{`${visible(props.name ?? 'This route')} is gone: Traefik no longer has it.`}</Text>
    );
  }
  const lines = routeDetailLines(props.route, stylist(props.color), props.now).slice(
    0,
    Math.max(1, props.height),
  );
  return (
    <Box flexDirection="column">
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
}

function Footer(props: {
  mode: 'table' | 'filter' | 'details';
  search: string;
  sort: SortKey;
  width: number;
}) {
  if (props.mode === 'filter') {
    return (
      <Text wrap="truncate-end">
        <Text color="cyan">/</Text>
        {visible(props.search)}
        <Text inverse> </Text>
        <Text dimColor>{'  Enter keep · Esc clear'}</Text>
      </Text>
    );
  }
  if (props.mode === 'details') return <Text dimColor>Esc back · q quit</Text>;
  const search = props.search === '' ? '' : ` · filter "${visible(props.search)}" (Esc clears)`;
  return (
    <Text dimColor wrap="truncate-end">
      {`q quit · / filter · ↑↓ select · ⏎ details · s sort: ${props.sort}${search}`}
    </Text>
  );
}
