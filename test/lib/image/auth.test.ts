import { describe, expect, it } from 'vitest';

import { ExitCode, UserError } from '../../../src/lib/errors.js';
import { registryHost } from '../../../src/lib/image/auth.js';

describe('registry host', () => {
  it('takes ECR’s proxyEndpoint without its scheme', () => {
    expect(registryHost('https://123456789012.dkr.ecr.us-east-1.amazonaws.com')).toBe(
      '123456789012.dkr.ecr.us-east-1.amazonaws.com',
    );
  });

  it('accepts a registry setting written as a host, a host:port or a URL', () => {
    expect(registryHost('127.0.0.1:5000')).toBe('127.0.0.1:5000');
    expect(registryHost('http://127.0.0.1:5000/')).toBe('127.0.0.1:5000');
    expect(registryHost(' Mirror.Example.com ')).toBe('mirror.example.com');
  });

  it('refuses a setting with a path, as bad input naming the value', () => {
    let error: unknown;
    try {
      registryHost('127.0.0.1:5000/whoami');
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(ExitCode.Usage);
    expect((error as UserError).message).toContain('"127.0.0.1:5000/whoami"');
  });
});
