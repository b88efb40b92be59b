import type { IncomingMessage } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { refreshVersionCache } from '../../../src/lib/update/refresh.js';
import { startLocalServer, type LocalServer } from '../../support/local-server.js';

// A stand-in npm registry on 127.0.0.1: the tests never reach registry.npmjs.org.
let server: LocalServer;
let registry: string;
let requests: string[];
let answer: (request: IncomingMessage) => { status: number; body: string } | 'hang';
let cacheDir: string;

beforeEach(async () => {
  requests = [];
  cacheDir = join(mkdtempSync(join(tmpdir(), 'traefikctl-refresh-')), 'cache', 'traefikctl');
  server = await startLocalServer((request, response) => {
    requests.push(`${request.method} ${request.url} ${request.headers.accept}`);
    const reply = answer(request);
    if (reply === 'hang') return;
    response.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
  });
  registry = server.url;
});
afterEach(async () => {
  await server.close();
  rmSync(join(cacheDir, '..', '..'), { recursive: true, force: true });
});

describe('refreshVersionCache', () => {
  it("writes the registry's dist-tags to the cache and returns the latest version", async () => {
    answer = () => ({ status: 200, body: '{"latest":"0.4.2","next":"0.5.0-rc.1"}' });
    await expect(refreshVersionCache({ cacheDir, name: 'traefikctl', registry })).resolves.toBe('0.4.2');
    expect(requests).toEqual(['GET /-/package/traefikctl/dist-tags application/json']);
    expect(JSON.parse(readFileSync(join(cacheDir, 'version'), 'utf8'))).toEqual({
      latest: '0.4.2',
      next: '0.5.0-rc.1',
    });
  });

  it('leaves the cache alone when the registry does not know the package or answers nonsense', async () => {
    answer = () => ({ status: 404, body: '{"error":"Not found"}' });
    await expect(refreshVersionCache({ cacheDir, name: 'traefikctl', registry })).resolves.toBeUndefined();
    answer = () => ({ status: 200, body: '{"beta":"1.0.0"}' });
    await expect(
      refreshVersionCache({ cacheDir, name: 'traefikctl', registry: `${registry}/` }),
    ).resolves.toBeUndefined();
    expect(existsSync(join(cacheDir, 'version'))).toBe(false);
  });

  it('gives up after its timeout on a registry that never answers', async () => {
    answer = () => 'hang';
    const started = Date.now();
    await expect(
      refreshVersionCache({ cacheDir, name: 'traefikctl', registry, timeoutMs: 200 }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    expect(existsSync(join(cacheDir, 'version'))).toBe(false);
  });
});
