import { describe, expect, it } from 'vitest';

import { reflow } from '../src/help.js';

describe('reflow', () => {
  it('joins the source lines of a paragraph so that help wraps them to the terminal', () => {
    expect(reflow('Registers a task definition,\nthen creates the service.\n\nSecond paragraph\nhere.')).toBe(
      'Registers a task definition, then creates the service.\n\nSecond paragraph here.',
    );
  });

  it('keeps a heading with indented lines and a list as written', () => {
    const codes = 'EXIT CODES\n  0    success\n  1    failure';
    const list = 'Selects:\n- by age\n- by count';
    expect(reflow(`${codes}\n\n${list}`)).toBe(`${codes}\n\n${list}`);
  });
});
