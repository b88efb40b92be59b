import { formatDuration } from '../duration.js';
import { ExitCode, isUserError, UserError } from '../errors.js';
import { TIMEOUT_VARIABLES } from './clients.js';
import { instanceMetadataTurnedOff } from './instance-metadata.js';

interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

export interface ExplainOptions {
  /**
   * For calls that change something: a command that shows whether the change happened, suggested
   * when the call timed out after it was sent (AWS may or may not have carried it out).
   */
  check?: string | undefined;
}

/** `1.5s` or `300ms`, from the SDK handler's own message (`... 30000 ms requestTimeout`). */
function timeoutIn(message: string): string | undefined {
  const ms = /(\d+) ?ms\b/.exec(message)?.[1];
  if (ms === undefined) return undefined;
  return formatDuration(Number(ms));
}

/**
 * A call that got no answer: the connection was never made (nothing was sent, nothing changed), or
 * the request went out and no response came back in time (AWS may or may not have acted on it).
 */
function timeoutError(
  error: unknown,
  e: AwsErrorShape,
  action: string,
  options: ExplainOptions,
): UserError | undefined {
  const message = e.message ?? '';
  const code = e.code ?? '';
  // The SDK's HTTP handler names its timeouts (and a dropped connection) TimeoutError; an answer from
  // AWS, even one about timeouts, carries an HTTP status instead.
  if (e.$metadata?.httpStatusCode !== undefined) return undefined;
  if (e.name !== 'TimeoutError' && !['ETIMEDOUT', 'ECONNRESET', 'EPIPE'].includes(code)) return undefined;
  const attempts = e.$metadata?.attempts ?? 1;
  const tries = attempts > 1 ? ` (${attempts} attempts)` : '';
  const within = timeoutIn(message);
  const endpoint = process.env.AWS_ENDPOINT_URL
    ? `AWS_ENDPOINT_URL is set to ${process.env.AWS_ENDPOINT_URL}: is that endpoint up?`
    : 'Check your network connection, VPN and proxy settings.';

  if (/did not establish a connection|^connect ETIMEDOUT/i.test(message)) {
    return new UserError(
      `Can't ${action}: no connection to AWS could be made${within ? ` within ${within}` : ''}${tries}. Nothing was sent, so nothing changed.`,
      {
        suggestions: [
          endpoint,
          'Then run the command again.',
          `On a slow network, allow longer to connect: ${TIMEOUT_VARIABLES.connection}=15s.`,
        ],
        exitCode: ExitCode.TimedOut,
        code: 'AWS_TIMEOUT',
        cause: error,
      },
    );
  }
  const dropped = code === 'ECONNRESET' || code === 'EPIPE';
  const what = dropped
    ? 'the connection to AWS was dropped before it answered'
    : `AWS did not answer${within ? ` within ${within}` : ' in time'}`;
  const suggestions =
    options.check === undefined
      ? [endpoint, 'Then run the command again.']
      : [
          `The request was sent, so AWS may or may not have carried it out. See what is there now: \`${options.check}\`.`,
          `${endpoint} Then run the command again.`,
        ];
  if (!dropped)
    suggestions.push(`On a slow network, give AWS longer to answer: ${TIMEOUT_VARIABLES.request}=60s.`);
  return new UserError(`Can't ${action}: ${what}${tries}.`, {
    suggestions,
    exitCode: ExitCode.TimedOut,
    code: 'AWS_TIMEOUT',
    cause: error,
  });
}

/**
 * What AWS answers when it doesn't know the access key, or the request's signature doesn't match its
 * secret: the credentials are wrong, and no IAM permission would help. (Several come with HTTP 403,
 * like a missing permission, so they are told apart by name.)
 */
const REJECTED_CREDENTIALS = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'AuthFailure',
  'InvalidAccessKeyId',
]);

/**
 * Turns the AWS failures a user can fix (no credentials, rejected credentials, expired session, missing permission,
 * no region, unreachable endpoint, no answer in time) into UserErrors with a next step. Anything else is returned
 * unchanged: it is either handled by the caller or a bug.
 *
 * @param action what we were doing, e.g. "create the ECR repository whoami"
 * @param permission the IAM action that call needs, e.g. "ecr:CreateRepository"
 * @param options.check for a call that changes something: the command that shows whether it happened
 */
export function explainAwsError(
  error: unknown,
  action: string,
  permission?: string,
  options: ExplainOptions = {},
): unknown {
  if (typeof error !== 'object' || error === null || isUserError(error)) return error;
  const e = error as AwsErrorShape;
  const name = e.name ?? '';
  const message = e.message ?? '';

  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(`Can't ${action}: no AWS credentials were found.`, {
      suggestions: [
        'Run `aws configure sso` or `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.',
        'Pick a named profile with --profile or AWS_PROFILE.',
        ...(instanceMetadataTurnedOff()
          ? [
              'To use an EC2 instance role, set AWS_EC2_METADATA_DISABLED=false: traefikctl asks instance metadata only where the machine shows it is on EC2.',
            ]
          : []),
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
  if (REJECTED_CREDENTIALS.has(name)) {
    return new UserError(`Can't ${action}: AWS rejected the credentials (${name}).`, {
      suggestions: [
        process.env.AWS_ACCESS_KEY_ID && !process.env.AWS_PROFILE
          ? 'They come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY: check both (and AWS_SESSION_TOKEN), or unset them to use a profile (--profile).'
          : 'Check the access key of the profile in use (`aws configure list` shows where it comes from), or sign in again (`aws sso login`).',
        'See which identity AWS finds: `aws sts get-caller-identity`.',
        `AWS said: ${message || name}`,
      ],
      code: 'AWS_CREDENTIALS_REJECTED',
      cause: error,
    });
  }
  if (
    ['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation'].includes(name) ||
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
  const timedOut = timeoutError(error, e, action, options);
  if (timedOut !== undefined) return timedOut;
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

export function awsErrorName(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null ? (error as AwsErrorShape).name : undefined;
}
