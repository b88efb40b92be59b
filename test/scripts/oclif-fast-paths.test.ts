import { createRequire } from 'node:module';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { compareCommandIds, matchesPluginPattern, renderTemplate } from '../../scripts/oclif-fast-paths.js';

// The real functions the fast paths stand in for, from @oclif/core's own dependencies.
const requireFromOclif = createRequire(createRequire(import.meta.url).resolve('@oclif/core'));
const ejs = requireFromOclif('ejs') as { render: (template: unknown, context: object) => string };
const { minimatch } = requireFromOclif('minimatch') as {
  minimatch: (name: string, pattern: string) => boolean;
};

const sign = (n: number) => Math.sign(n);
const outcome = (run: () => string): { value: string } | { error: string } => {
  try {
    return { value: run() };
  } catch (error) {
    return { error: (error as Error).constructor.name };
  }
};

describe('compareCommandIds', () => {
  it('orders like localeCompare for any ids, the common alphabet and beyond', () => {
    const simple = fc.string({ unit: fc.constantFrom(...'-:09az'), maxLength: 8 });
    const any = fc.string({ maxLength: 6 });
    fc.assert(
      fc.property(fc.oneof(simple, any), fc.oneof(simple, any), (a, b) => {
        expect(sign(compareCommandIds(a, b))).toBe(sign(a.localeCompare(b)));
      }),
      { numRuns: 5000 },
    );
  });

  it('sorts traefikctl-like ids as localeCompare does', () => {
    const ids = [
      'app:deploy',
      'app',
      'app-x',
      'app:urls',
      'a1',
      'app2',
      'cluster:up',
      'autocomplete:script',
      'z',
      '',
    ];
    expect([...ids].sort(compareCommandIds)).toEqual([...ids].sort((a, b) => a.localeCompare(b)));
  });
});

describe('matchesPluginPattern', () => {
  it('matches exactly as minimatch does, for names and patterns of any shape', () => {
    const part = fc.string({ unit: fc.constantFrom(...'ab-._*?@/{},!#'), minLength: 0, maxLength: 8 });
    const name = fc.oneof(part, fc.constantFrom('@oclif/plugin-help', '@oclif/plugin-autocomplete', 'oclif'));
    const pattern = fc.oneof(part, fc.constantFrom('@oclif/plugin-*', '@oclif/plugin-help', '*', '@oclif/*'));
    fc.assert(
      fc.property(name, pattern, (n, p) => {
        expect(matchesPluginPattern(n, p, minimatch)).toBe(minimatch(n, p));
      }),
      { numRuns: 5000 },
    );
  });

  it('answers a plain package name without minimatch, and hands glob patterns to it', () => {
    const calls: string[] = [];
    const spy = (n: string, p: string) => (calls.push(p), minimatch(n, p));
    expect(matchesPluginPattern('@oclif/plugin-help', '@oclif/plugin-help', spy)).toBe(true);
    expect(matchesPluginPattern('@oclif/plugin-helper', '@oclif/plugin-help', spy)).toBe(false);
    expect(calls).toEqual([]);
    expect(matchesPluginPattern('@oclif/plugin-help', '@oclif/plugin-*', spy)).toBe(true);
    expect(calls).toEqual(['@oclif/plugin-*']);
  });
});

describe('renderTemplate', () => {
  class Formatter {
    config = { bin: 'traefikctl', name: 'a&b <c>', nothing: null, version: 0 };
    command = { id: 'app:deploy', aliases: ['"quoted"'] };
    get topic() {
      return "it's";
    }
  }
  const context = new Formatter();
  const render = (t: unknown, c: object) => ejs.render(t, c);

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
    const counting = (t: unknown, c: object) => (calls++, ejs.render(t, c));
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
