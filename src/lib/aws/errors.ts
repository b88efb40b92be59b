import { UserError } from '../errors.js';

interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

/**
 * Turns the AWS failures a user can fix (no credentials, expired session, missing permission,
 * no region, unreachable endpoint) into UserErrors with a next step. Anything else is returned
 * unchanged: it is either handled by the caller or a bug.
 *
 * @param action what we were doing, e.g. "create the ECR repository whoami"
 * @param permission the IAM action that call needs, e.g. "ecr:CreateRepository"
 */
export function explainAwsError(error: unknown, action: string, permission?: string): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const e = error as AwsErrorShape;
  const name = e.name ?? '';
  const message = e.message ?? '';

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(`Can't ${action}: no AWS credentials were found.`, {
      suggestions: [
        'Run `aws configure sso` or `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
        'Pick a named profile with --profile or AWS_PROFILE.',
      ],
      code: 'AWS_NO_CREDENTIALS',
      cause: error,
    });
  }
  if (
    ['ExpiredToken', 'ExpiredTokenException', 'RequestExpired', 'TokenRefreshRequired'].includes(name) ||
    /(session|token).*(expired|refresh)/i.test(message)
  ) {
    return new UserError(`Can't ${action}: your AWS session has expired.`, {
      suggestions: ['Refresh it with `aws sso login` (or your identity tool) and run the command again.'],
      code: 'AWS_EXPIRED_CREDENTIALS',
      cause: error,
    });
  }
  if (
    [
      'AccessDenied',
      'AccessDeniedException',
      'UnauthorizedOperation',
      'UnrecognizedClientException',
    ].includes(name) ||
    e.$metadata?.httpStatusCode === 403
  ) {
    return new UserError(`Can't ${action}: AWS denied access.`, {
      suggestions: [
        permission
          ? `Grant your role the ${permission} permission, or use a profile that has it (--profile).`
          : 'Use a profile whose role has the needed permission (--profile).',
        `AWS said: ${message || name}`,
      ],
      code: 'AWS_ACCESS_DENIED',
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new UserError(`Can't ${action}: no AWS region is set.`, {
      suggestions: ['Pass --region, set AWS_REGION, or set `region` in traefikctl.config.yaml.'],
      code: 'AWS_NO_REGION',
      cause: error,
    });
  }
  const code = e.code ?? (error as { cause?: { code?: string } }).cause?.code;
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'ETIMEDOUT' || code === 'EAI_AGAIN') {
    return new UserError(`Can't ${action}: the AWS endpoint is unreachable (${code}).`, {
      suggestions: [
        'Check your network connection and proxy settings.',
        process.env.AWS_ENDPOINT_URL
          ? `AWS_ENDPOINT_URL is set to ${process.env.AWS_ENDPOINT_URL}: is that endpoint running?`
          : 'Check that the region exists and the service is available there.',
      ],
      code: 'AWS_UNREACHABLE',
      cause: error,
    });
  }
  return error;
}

/** Throws the explained error; for `catch` clauses that only rethrow. */
export function rethrowAws(error: unknown, action: string, permission?: string): never {
  throw explainAwsError(error, action, permission);
}

export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape).name : undefined;
}
