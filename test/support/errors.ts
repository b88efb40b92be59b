import { expect } from 'vitest';

import { UserError } from '../../src/lib/errors.js';

/** The UserError `work` rejects with; the test fails when it resolves or rejects with anything else. */
export async function rejection(work: Promise<unknown>): Promise<UserError> {
  const error = await work.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(UserError);
  return error as UserError;
}
