/**
 * The contract of `cluster up | status | down` with scripts: their flags, and the shape of their
 * --json results (recorded from real runs in cluster.test.ts). A change to either shows up here in
 * review.
 */
import { describe, expect, it } from 'vitest';

import ClusterDown from '../../src/commands/cluster/down.js';
import ClusterStatus from '../../src/commands/cluster/status.js';
import ClusterUp from '../../src/commands/cluster/up.js';

function surface(command: {
  flags?: Record<string, unknown>;
  enableJsonFlag?: boolean;
  examples?: unknown[];
}) {
  const flags = Object.entries(command.flags ?? {}).map(([name, flag]) => {
    const f = flag as {
      type: string;
      required?: boolean;
      multiple?: boolean;
      summary?: string;
      default?: unknown;
    };
    return {
      name,
      type: f.type,
      required: f.required ?? false,
      multiple: f.multiple ?? false,
      summary: f.summary,
    };
  });
  return { flags, json: command.enableJsonFlag ?? false, examples: command.examples?.length ?? 0 };
}

describe('cluster commands: flag surface', () => {
  it.each([
    ['up', ClusterUp],
    ['status', ClusterStatus],
    ['down', ClusterDown],
  ])('cluster %s', (_name, command) => {
    const described = surface(command);
    expect(described.examples).toBeGreaterThan(0);
    expect(described).toMatchSnapshot();
  });
});
