import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

import { configViewToYaml, showConfig } from '../../../src/lib/config/show.js';
import { simpleYaml } from '../../../src/lib/config/simple-yaml.js';
import { REPO_ROOT } from '../../support/cli.js';

// simpleYaml writes what yaml's stringify writes, or nothing: yaml is the reference for every answer.
const yaml = (value: Record<string, unknown>) => stringify(value, { lineWidth: 0 });

/** Strings of every kind a configuration holds, and of every kind YAML treats specially. */
const WORDS = [
  ...['', 'whoami', 'WHOAMI_NAME', 'traefik:v3.7', 'linux/amd64', '/api/key', '30s', '7d', 'pr-*'],
  ...['arn:aws:ssm:eu-west-1:123456789012:parameter/x', '${API_TOKEN}', 'postgres://***@db/app'],
  ...['{app}-{tag}.{env}.{domain}', 'https://traefik.dev.example.com:8443', 'hello world', 'a: b', 'a #b'],
  ...['a#b', 'a:', '-a', '- a', '? a', ':a', ' a', 'a ', 'a  b', 'Hello, world', '[a]', '*a', '&a', '!a'],
  ...['%a', '@a', '`a', '|a', '>a', "'a", '"a', 'a"b', 'a\\b', 'a\nb', 'a\tb', 'é', '~', '=a', 'a=b'],
  ...['true', 'True', 'TRUE', 'false', 'null', 'NULL', 'yes', 'no', 'on', 'off', 'y', 'n', 'e5', 'NaN'],
  ...['1', '01', '8080', '1.5', '1e3', '.5', '-1', '+1', '0x1F', '0o17', '.inf', '-.inf', '.nan', '1_000'],
  ...['12:30', '2024-01-01', 'Infinity', 'x'.repeat(300)],
];

/** Random strings over the characters that matter to YAML (seeded: the same every run). */
function generated(count: number): string[] {
  const chars = [...'aZ09_-./:${}[] #@%+=~*&!|>\'"`,?\\\té\n'];
  let seed = 1;
  const next = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  return Array.from({ length: count }, () =>
    Array.from({ length: Math.floor(next() * 6) }, () => chars[Math.floor(next() * chars.length)]).join(''),
  );
}

/** Each string as a value, a key, a list item and a nested key. */
const shapes = (word: string): Record<string, unknown>[] => [
  { key: word },
  { [word || 'x']: 'value' },
  { key: [word, 'web'] },
  { outer: { [word || 'x']: 1, inner: { deep: word } } },
];

describe('simpleYaml', () => {
  it("writes what yaml's stringify writes for every string it writes, and gives up on the rest", () => {
    let written = 0;
    for (const word of [...WORDS, ...generated(3000)]) {
      for (const value of shapes(word)) {
        const text = simpleYaml(value);
        if (text === undefined) continue;
        written += 1;
        expect(text, JSON.stringify(value)).toBe(yaml(value));
        expect(parse(text)).toEqual(value);
      }
    }
    // Most of the cases are written here, not left to yaml: the comparison is of real output.
    expect(written).toBeGreaterThan(4000);
  });

  it('writes the strings a configuration usually holds itself', () => {
    for (const word of WORDS.slice(0, 15)) expect(simpleYaml({ key: word }), word).toBeDefined();
  });

  it("gives up where yaml would need escapes, a block scalar, a float, null or a list's mapping", () => {
    for (const value of [
      { key: 'a\nb' },
      { key: 'a"b' },
      { key: 'é' },
      { key: 1.5 },
      { key: null },
      { key: [{ name: 'web' }] },
      { key: [['nested']] },
      { key: 2 ** 60 },
    ]) {
      expect(simpleYaml(value), JSON.stringify(value)).toBeUndefined();
    }
  });

  it('writes empty mappings and lists inline, and leaves out undefined values, as yaml does', () => {
    for (const value of [
      {},
      { key: undefined },
      { a: {}, b: [], c: { d: undefined }, e: true, f: false, g: -3 },
      {
        apps: {
          whoami: { buildArgs: {}, environment: { A: '1' }, port: 80, entryPoints: ['web', 'websecure'] },
        },
      },
    ]) {
      expect(simpleYaml(value)).toBe(yaml(value));
    }
  });

  it("prints the quick start's configuration as yaml does, without yaml's stringifier", async () => {
    const view = await showConfig({ cwd: path.join(REPO_ROOT, 'examples', 'whoami'), variables: {} });
    const { configPath: _path, ...rest } = view;
    const present = Object.fromEntries(Object.entries(rest).filter(([, value]) => value !== null));
    expect(simpleYaml(present)).toBeDefined();
    expect(configViewToYaml(view)).toBe(yaml(present));
  });
});
