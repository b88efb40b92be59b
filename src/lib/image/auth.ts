import type { ECRClient } from '@aws-sdk/client-ecr';

import { explainAwsError } from '../aws/errors.js';
import { UserError, usageError } from '../errors.js';

export interface EcrLogin {
  /** Registry host (and port) as image references name it: no scheme, no path. */
  registry: string;
  username: string;
  /** Secret: goes to `docker login --password-stdin` and nowhere else. */
  password: string;
}

/**
 * `host[:port]` from a registry URL or host as a user may write it (`https://x/`, `x:5000`). Paths are
 * refused: a registry setting is a host, the repository name comes from the app.
 */
export function registryHost(value: string, setting = 'registry'): string {
  const trimmed = value
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/\/+$/, '');
  if (trimmed === '' || trimmed.includes('/') || /\s/.test(trimmed)) {
    throw usageError(
      `The ${setting} ${JSON.stringify(value)} is not a registry host.`,
      ['Write it as host or host:port, e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com or 127.0.0.1:5000.'],
      'CONFIG_INVALID',
    );
  }
  return trimmed.toLowerCase();
}

/**
 * A fresh ECR login from `GetAuthorizationToken`: the token is base64 `user:password`. The registry host
 * is the token's `proxyEndpoint` without its scheme, or `registryOverride` when set (a mirror, a proxy,
 * or the local registry tests push to). The token's `expiresAt` is not used: the login lives only as
 * long as one command.
 */
export async function ecrLogin(ecr: ECRClient, registryOverride?: string): Promise<EcrLogin> {
  const { GetAuthorizationTokenCommand } = await import('@aws-sdk/client-ecr');
  let data;
  try {
    data = (await ecr.send(new GetAuthorizationTokenCommand({}))).authorizationData?.[0];
  } catch (error) {
    throw explainAwsError(error, 'get an ECR login token', 'ecr:GetAuthorizationToken');
  }
  const decoded = Buffer.from(data?.authorizationToken ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const endpoint = registryOverride ?? data?.proxyEndpoint;
  if (colon <= 0 || colon === decoded.length - 1 || !endpoint) {
    // Never quote the token: even a malformed one may hold a usable secret.
    throw new UserError('ECR returned an authorization token traefikctl cannot read.', {
      suggestions: [
        'Run the command again; if it persists, check that AWS_ENDPOINT_URL (if set) points at ECR or a faithful emulator.',
      ],
      code: 'ECR_TOKEN_INVALID',
    });
  }
  return {
    registry: registryHost(
      endpoint,
      registryOverride === undefined ? 'ECR proxy endpoint' : 'registry setting',
    ),
    username: decoded.slice(0, colon),
    password: decoded.slice(colon + 1),
  };
}
