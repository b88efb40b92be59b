import { createRequire } from 'node:module';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { reflow, renderTemplate } from '../src/help/text.js';

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

// The real function renderTemplate stands in for, from @oclif/core's own dependencies.
const requireFromOclif = createRequire(createRequire(import.meta.url).resolve('@oclif/core'));
const ejs = requireFromOclif('ejs') as { render: (template: unknown, context: object) => string };

const outcome = (run: () => string): { value: string } | { error: string } => {
  try {
    return { value: run() };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
};

describe('renderTemplate', () => {
  class Formatter {
    config = { bin: 'traefikctl', name: 'a&b <c>', nothing: null, version: 0 };
    command = { id: 'app:deploy', aliases: ['"quoted"'] };
    get topic() {
      return "it's";
    }
  }
  const context = new Formatter();
  const render = (t: string) => ejs.render(t, context);

  it('renders what ejs renders (output or error) for any template', () => {
    const tag = fc.constantFrom(
      '<%= config.bin %>',
      '<%=config.name%>',
      '<%= command.id %>',
      '<%= command.aliases %>',
      '<%= topic %>',
      '<%= constructor %>',
      '<%= hasOwnProperty %>',
      '<%= config.nothing %>',
      '<%= config.version %>',
      '<%= config.nothing.x %>',
      '<%= missing %>',
      '<%= locals.config.bin %>',
      '<%- config.name %>',
      '<%# comment %>',
      '<%% literal %>',
      '<% if (true) { %>x<% } %>',
      '<%= config.bin -%>',
      '%>',
      '<%',
      '\n',
    );
    const text = fc.string({ unit: fc.constantFrom(...'ab <>%=&\'"\\$`{}\n'), maxLength: 6 });
    const template = fc.array(fc.oneof(tag, text), { maxLength: 6 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(template, (t) => {
        expect(outcome(() => renderTemplate(t, context, render))).toEqual(
          outcome(() => ejs.render(t, context)),
        );
      }),
      { numRuns: 3000 },
    );
  });

  it('leaves ejs out for text without tags and for plain lookups', () => {
    let calls = 0;
    const counting = (t: string) => (calls++, ejs.render(t, context));
    expect(renderTemplate('Deploy a tagged build.', context, counting)).toBe('Deploy a tagged build.');
    expect(renderTemplate('$ <%= config.bin %> <%= command.id %> --tag v2', context, counting)).toBe(
      '$ traefikctl app:deploy --tag v2',
    );
    expect(renderTemplate('<%= config.name %>', context, counting)).toBe('a&amp;b &lt;c&gt;');
    expect(calls).toBe(0);
    expect(renderTemplate('<%- config.name %>', context, counting)).toBe('a&b <c>');
    expect(calls).toBe(1);
  });
});
