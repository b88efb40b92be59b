import { afterEach, describe, expect, it, vi } from 'vitest';

import { debug, debugEnabled, setDebugWriter } from '../../src/lib/debug.js';

describe('debugEnabled', () => {
  it('reads DEBUG as the debug package does: names, *, and - to exclude', () => {
    expect(debugEnabled('aws', 'traefikctl*')).toBe(true);
    expect(debugEnabled('aws', 'traefikctl:*')).toBe(true);
    expect(debugEnabled('aws', '*')).toBe(true);
    expect(debugEnabled('aws', 'traefikctl:aws')).toBe(true);
    expect(debugEnabled('traefik', 'traefikctl:aws')).toBe(false);
    expect(debugEnabled('docker', 'express:*, traefikctl:docker')).toBe(true);
    expect(debugEnabled('docker', 'traefikctl*,-traefikctl:docker')).toBe(false);
    expect(debugEnabled('aws', 'traefikctl*,-traefikctl:docker')).toBe(true);
    expect(debugEnabled('aws', 'other')).toBe(false);
    expect(debugEnabled('aws', '')).toBe(false);
    expect(debugEnabled('aws', undefined)).toBe(false);
  });
});

describe('debug', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('writes a named line only when DEBUG enables it', () => {
    const lines: string[] = [];
    const previous = setDebugWriter((line) => lines.push(line));
    try {
      vi.stubEnv('DEBUG', '');
      debug('aws', 'not shown');
      vi.stubEnv('DEBUG', 'traefikctl:aws');
      debug('aws', 'ECS DescribeServices 200 in 5ms');
      debug('docker', 'not shown either');
    } finally {
      setDebugWriter(previous);
    }
    expect(lines).toEqual(['traefikctl:aws ECS DescribeServices 200 in 5ms\n']);
  });
});
