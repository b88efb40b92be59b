import { describe, expect, it } from 'vitest';

import { usageError, UserError } from '../../src/lib/errors.js';
import { formatError } from '../../src/ui/errors.js';

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
});
