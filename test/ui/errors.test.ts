import { describe, expect, it } from 'vitest';

import { usageError, UserError } from '../../src/lib/errors.js';
import { formatError, usageProblems } from '../../src/ui/errors.js';

describe('formatError', () => {
  it('shows a user error with its suggestions and no stack', () => {
    const text = formatError(
      new UserError("Can't reach the Docker daemon.", { suggestions: ['Start Docker, then retry.'] }),
      { color: false, debug: false },
    );
    expect(text).toBe("Error: Can't reach the Docker daemon.\n  → Start Docker, then retry.\n");
  });

  it('shows a bug with the way to get details, and the stack only under DEBUG', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'x')");
    expect(formatError(bug, { color: false, debug: false })).toContain('Rerun with DEBUG=traefikctl*');
    expect(formatError(bug, { color: false, debug: false })).not.toContain('at ');
    expect(formatError(bug, { color: false, debug: true })).toContain('TypeError: Cannot read');
  });

  it('keeps the exit code of a usage error', () => {
    expect(usageError('Unknown app "nope".').exitCode).toBe(2);
  });

  it("shows oclif's parse errors as problems, then the command's help", () => {
    // oclif's FailedFlagValidationError, as it builds it (reasons dimmed on a terminal).
    const failed = Object.assign(
      new Error(
        'The following errors occurred:\n  \u001b[2mMissing required flag tag\n  Only the following can be provided when using --json: --env\u001b[22m\nSee more help with --help',
      ),
      { oclif: { exit: 2 } },
    );
    expect(formatError(failed, { color: false, debug: false, help: 'traefikctl app deploy --help' })).toBe(
      [
        'Error: Missing required flag --tag.',
        'Error: Only the following can be provided when using --json: --env',
        '  → See `traefikctl app deploy --help` for usage.',
        '',
      ].join('\n'),
    );
  });
});

describe('usageProblems', () => {
  it("keeps a single problem as it is, without oclif's help line", () => {
    expect(usageProblems('Nonexistent flag: --nope\nSee more help with --help')).toEqual([
      'Nonexistent flag: --nope',
    ]);
    expect(
      usageProblems('The following error occurred:\n  Missing required flag tag\nSee more help with --help'),
    ).toEqual(['Missing required flag --tag.']);
  });

  it("indents a problem's own lines under it", () => {
    expect(usageProblems('Missing 1 required arg:\napp  App to deploy.\nSee more help with --help')).toEqual([
      'Missing 1 required arg:\n  app  App to deploy.',
    ]);
  });
});
