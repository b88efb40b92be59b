import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { BIN, runCli } from '../support/cli.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';

// The notice is for a person at a terminal, so these runs go through `script` (util-linux), which
// gives the CLI a real pseudo-terminal. The registry is a stand-in on 127.0.0.1 (npm_config_registry),
// so no test traffic leaves the machine.
let home: string;
let cacheDir: string;
let server: LocalServer;
let registry: string;
let asked: string[];

beforeEach(async () => {
  home = mkdtempSync(join(tmpdir(), 'traefikctl-update-e2e-'));
  cacheDir = join(home, 'cache', 'traefikctl');
  asked = [];
  server = await startLocalServer((request, response) => {
    asked.push(request.url ?? '');
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"latest":"41.0.0"}');
  });
  registry = `${server.url}/`;
});
afterEach(async () => {
  await server.close();
  rmSync(home, { recursive: true, force: true });
});

const env = () => ({
  ...process.env,
  XDG_CACHE_HOME: join(home, 'cache'),
  XDG_CONFIG_HOME: join(home, 'config'),
  npm_config_registry: registry,
  TRAEFIKCTL_SKIP_NEW_VERSION_CHECK: '',
  CI: '',
});

function atTerminal(args: string): Promise<{ output: string; exitCode: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qec', `"${process.execPath}" "${BIN}" ${args}`, '/dev/null'], {
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 30_000,
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ output: output.replaceAll('\r\n', '\n'), exitCode }));
  });
}

function cached(latest: string, ageMs: number): void {
  mkdirSync(cacheDir, { recursive: true });
  const file = join(cacheDir, 'version');
  writeFileSync(file, JSON.stringify({ latest }));
  const at = (Date.now() - ageMs) / 1000;
  utimesSync(file, at, at);
}

async function eventually(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// util-linux `script` is on every Debian (bsdutils is essential); elsewhere the pty runs are skipped.
const hasScript = spawnSync('script', ['--version']).status === 0;

describe('the update notice', () => {
  it.skipIf(!hasScript)('tells a person at a terminal about a newer release, once a day', async () => {
    cached('40.1.0', 60_000);
    const first = await atTerminal('--help');
    expect(first.exitCode).toBe(0);
    expect(first.output).toContain('A new traefikctl is available: 0.1.0 → 40.1.0');
    expect(first.output).toContain('npm install --global traefikctl@40.1.0');
    expect(first.output).toContain('USAGE');
    const second = await atTerminal('--help');
    expect(second.output).not.toContain('is available');
    expect(asked).toEqual([]); // a fresh cache: the registry is not asked
  });

  // `--help` prints the root page without oclif (src/help/fast-path.ts), `app --help` a topic's page
  // without oclif's runtime (src/help/command-fast-path.ts); other commands go through oclif's init
  // hook. All show the notice from the same cache, once a day between them.
  it.skipIf(!hasScript)('shows the notice through oclif too, and once a day across all paths', async () => {
    cached('40.2.0', 60_000);
    const first = await atTerminal('app');
    expect(first.exitCode).toBe(0);
    expect(first.output).toContain('A new traefikctl is available: 0.1.0 → 40.2.0');
    expect(first.output).toContain('app deploy');
    expect((await atTerminal('app --help')).output).not.toContain('is available');
    expect((await atTerminal('--help')).output).not.toContain('is available');
  });

  it.skipIf(!hasScript)("shows the notice on a command's help page", async () => {
    cached('40.3.0', 60_000);
    const first = await atTerminal('app deploy --help');
    expect(first.exitCode).toBe(0);
    expect(first.output).toContain('A new traefikctl is available: 0.1.0 → 40.3.0');
    expect(first.output).toContain('USAGE');
    expect((await atTerminal('app')).output).not.toContain('is available');
  });

  it.skipIf(!hasScript)(
    'refreshes a week-old cache in the background, and the next run knows the new release',
    async () => {
      cached('0.0.1', 8 * 24 * 60 * 60 * 1000);
      const run = await atTerminal('--help');
      expect(run.exitCode).toBe(0);
      expect(run.output).not.toContain('is available');
      await eventually(() => readFileSync(join(cacheDir, 'version'), 'utf8').includes('41.0.0'));
      expect(asked).toEqual(['/-/package/traefikctl/dist-tags']);
      expect((await atTerminal('--help')).output).toContain('A new traefikctl is available: 0.1.0 → 41.0.0');
    },
  );

  it('stays silent and offline in a pipe, as scripts and CI run it', async () => {
    const run = await runCli(['--help'], { env: env() });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toBe('');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(existsSync(join(cacheDir, 'version'))).toBe(false);
    expect(asked).toEqual([]);
  });
});
