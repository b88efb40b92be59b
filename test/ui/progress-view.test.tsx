import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';

import type { ProgressEvent } from '../../src/lib/events.js';
import { ProgressView } from '../../src/ui/progress/ProgressView.js';
import { initialProgressState, reduceProgress } from '../../src/ui/progress/state.js';

function fold(events: ProgressEvent[]) {
  return events.reduce((state, event) => reduceProgress(state, event, 0), initialProgressState);
}

describe('progress view', () => {
  it('shows finished phases with timers, the running one with its steps and items', () => {
    const state = fold([
      { type: 'phase', id: 'repo', title: 'Ensure ECR repository', status: 'running' },
      {
        type: 'phase',
        id: 'repo',
        title: 'Ensure ECR repository',
        status: 'done',
        detail: 'whoami (exists)',
        elapsedMs: 320,
      },
      { type: 'phase', id: 'push', title: 'Push 2 tags', status: 'running' },
      { type: 'step', phase: 'push', message: 'The push refers to repository [127.0.0.1:5000/whoami]' },
      { type: 'progress', phase: 'push', item: '5f70bf18a086', status: 'Pushing', current: 5, total: 10 },
      { type: 'warning', message: 'No git repository: no SHA tag added.' },
    ]);
    const { lastFrame } = render(<ProgressView state={state} title="image push whoami" />);
    const frame = lastFrame() ?? '';
    expect(frame).toContain('image push whoami');
    expect(frame).toContain('✓ Ensure ECR repository whoami (exists) 320ms');
    expect(frame).toContain('Push 2 tags');
    expect(frame).toContain('The push refers to repository [127.0.0.1:5000/whoami]');
    expect(frame).toContain('5f70bf18a086 Pushing ██████████░░░░░░░░░░');
    expect(frame).toContain('! No git repository: no SHA tag added.');
  });

  it('hides steps of phases that ended well and keeps those of a failed one', () => {
    const state = fold([
      { type: 'phase', id: 'build', title: 'Build', status: 'running' },
      { type: 'step', phase: 'build', message: 'Step 1/2 : FROM scratch' },
      { type: 'phase', id: 'build', title: 'Build', status: 'done', elapsedMs: 1000 },
      { type: 'phase', id: 'push', title: 'Push', status: 'running' },
      { type: 'step', phase: 'push', message: 'unauthorized: authentication required' },
      { type: 'phase', id: 'push', title: 'Push', status: 'failed', elapsedMs: 50 },
    ]);
    const frame = render(<ProgressView state={state} />).lastFrame() ?? '';
    expect(frame).not.toContain('FROM scratch');
    expect(frame).toContain('✗ Push');
    expect(frame).toContain('unauthorized: authentication required');
  });

  it('keeps only the last five steps of a phase', () => {
    const events: ProgressEvent[] = [{ type: 'phase', id: 'b', title: 'Build', status: 'running' }];
    for (let i = 1; i <= 8; i++) events.push({ type: 'step', phase: 'b', message: `line ${i}` });
    expect(fold(events).phases[0]?.steps).toEqual(['line 4', 'line 5', 'line 6', 'line 7', 'line 8']);
  });
});
