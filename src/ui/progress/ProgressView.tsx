import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';

import { formatElapsed } from '../../lib/duration.js';
import type { ItemView, PhaseView, ProgressState } from './state.js';

const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

/** Ticks while something runs, so timers and the spinner move; stops when nothing runs. */
function useClock(active: boolean, intervalMs = 100): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}

function StatusIcon({ phase, now }: { phase: PhaseView; now: number }) {
  switch (phase.status) {
    case 'running':
      return <Text color="cyan">{SPINNER[Math.floor(now / 80) % SPINNER.length]}</Text>;
    case 'done':
      return <Text color="green">✓</Text>;
    case 'failed':
      return <Text color="red">✗</Text>;
    case 'skipped':
      return <Text dimColor>-</Text>;
  }
}

function Item({ item }: { item: ItemView }) {
  const bar =
    item.current !== undefined && item.total !== undefined && item.total > 0
      ? ` ${'█'.repeat(Math.round((item.current / item.total) * 20)).padEnd(20, '░')}`
      : '';
  return (
    <Text>
      {'    '}
      <Text dimColor>{item.item}</Text> {item.status}
      {bar}
    </Text>
  );
}

export function ProgressView({ state, title }: { state: ProgressState; title?: string | undefined }) {
  const running = state.phases.some((p) => p.status === 'running');
  const now = useClock(running);
  return (
    <Box flexDirection="column">
      {title ? <Text bold>{title}</Text> : null}
      {state.phases.map((phase) => {
        // The clock ticks every 100 ms, so a phase that started since the last tick is at 0, not negative.
        const elapsed =
          phase.elapsedMs ?? (phase.status === 'running' ? Math.max(0, now - phase.startedAt) : undefined);
        return (
          <Box key={phase.id} flexDirection="column">
            <Text wrap="truncate-end">
              <StatusIcon phase={phase} now={now} /> {phase.title}
              {phase.detail ? <Text dimColor>{` ${phase.detail}`}</Text> : null}
              {elapsed === undefined ? null : <Text dimColor>{` ${formatElapsed(elapsed)}`}</Text>}
            </Text>
            {phase.status === 'running' || phase.status === 'failed'
              ? phase.steps.map((step, index) => (
                  <Text key={index} dimColor wrap="truncate-end">
                    {'    '}
                    {step}
                  </Text>
                ))
              : null}
            {phase.status === 'running'
              ? phase.items.map((item) => <Item key={item.item} item={item} />)
              : null}
          </Box>
        );
      })}
      {state.notes.map((note, index) => (
        <Text key={index} {...(note.kind === 'warning' ? { color: 'yellow' } : {})}>
          {note.kind === 'warning' ? '! ' : '  '}
          {note.message}
          {note.hint ? <Text dimColor>{` → ${note.hint}`}</Text> : null}
        </Text>
      ))}
    </Box>
  );
}
