import { describe, expect, it } from 'vitest';

import { decidePresentation, type Surroundings } from '../../src/ui/mode.js';

const terminal: Surroundings = {
  json: false,
  env: {},
  stdinIsTty: true,
  stdoutIsTty: true,
  stderrIsTty: true,
};

describe('decidePresentation', () => {
  it.each([
    ['a terminal', terminal, { mode: 'tty', color: true, interactive: true, stdoutIsTty: true }],
    [
      '--json in a terminal',
      { ...terminal, json: true },
      { mode: 'json', color: false, interactive: false, stdoutIsTty: false },
    ],
    [
      'CI=true',
      { ...terminal, env: { CI: 'true' } },
      { mode: 'plain', color: false, interactive: false, stdoutIsTty: true },
    ],
    [
      'CI=false is not CI',
      { ...terminal, env: { CI: 'false' } },
      { mode: 'tty', color: true, interactive: true, stdoutIsTty: true },
    ],
    [
      'TERM=dumb',
      { ...terminal, env: { TERM: 'dumb' } },
      { mode: 'plain', color: false, interactive: false, stdoutIsTty: true },
    ],
    [
      'NO_COLOR',
      { ...terminal, env: { NO_COLOR: '1' } },
      { mode: 'tty', color: false, interactive: true, stdoutIsTty: true },
    ],
    [
      'stdout piped, stderr a terminal',
      { ...terminal, stdoutIsTty: false },
      { mode: 'tty', color: true, interactive: false, stdoutIsTty: false },
    ],
    [
      'everything piped',
      { ...terminal, stdinIsTty: false, stdoutIsTty: false, stderrIsTty: false },
      { mode: 'plain', color: false, interactive: false, stdoutIsTty: false },
    ],
    [
      'FORCE_COLOR in a pipe',
      { ...terminal, stderrIsTty: false, env: { FORCE_COLOR: '1' } },
      { mode: 'plain', color: true, interactive: true, stdoutIsTty: true },
    ],
  ] as const)('given %s, decides the presentation', (_name, surroundings, expected) => {
    expect(decidePresentation(surroundings)).toEqual(expected);
  });
});
