import { UserError } from '../errors.js';

/**
 * Explains why a registry refused `docker login` or `docker push`, from what the docker CLI printed.
 * The wordings are the registry's (distribution, ECR) and the daemon's; they are matched loosely
 * because they vary a little between versions. Returns undefined when nothing matches, so the caller
 * falls back to "this command failed" with the output.
 */
export function explainRegistryRefusal(
  output: string,
  registry: string,
  action: string,
  /** The user's credential helper for this registry, when docker got its credentials from it. */
  credentialHelper?: string,
): UserError | undefined {
  const quoted = lastMatchingLine(
    output,
    /denied|unauthorized|refused|forbidden|expired|timeout|x509|HTTPS|unknown/i,
  );
  const said = quoted ? [`Docker said: ${quoted}`] : [];

  const permission = /not authorized to perform:?\s+(ecr:[A-Za-z]+)/i.exec(output)?.[1];
  if (permission) {
    return new UserError(`Can't ${action}: AWS denied ${permission}.`, {
      suggestions: [
        `Grant your role the ${permission} permission on this repository (pushing needs ecr:BatchCheckLayerAvailability, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage), or use a profile that has it (--profile).`,
        ...said,
      ],
      code: 'AWS_ACCESS_DENIED',
    });
  }
  if (/authorization token has expired|token.*expired/i.test(output)) {
    return new UserError(`Can't ${action}: the registry login has expired.`, {
      suggestions: [
        'Run the command again: traefikctl logs in afresh each time. If your AWS session itself has expired, refresh it first (`aws sso login`).',
        ...said,
      ],
      code: 'REGISTRY_LOGIN_EXPIRED',
    });
  }
  if (/immutable/i.test(output) && /tag/i.test(output)) {
    return new UserError(`Can't ${action}: the tag already exists and the repository's tags are immutable.`, {
      suggestions: [
        'Push under a new tag (e.g. --tag "$(git rev-parse --short HEAD)"), or set tagMutability: MUTABLE for this app.',
        ...said,
      ],
      code: 'REGISTRY_TAG_IMMUTABLE',
    });
  }
  if (/name unknown|repository with name .* does not exist/i.test(output)) {
    return new UserError(`Can't ${action}: the registry ${registry} has no such repository.`, {
      suggestions: [
        'The repository may have been deleted while pushing; run the command again to recreate it.',
        'If you set `registry` in traefikctl.config.*, check that it is the registry of this AWS account.',
        ...said,
      ],
      code: 'REGISTRY_NAME_UNKNOWN',
    });
  }
  if (
    /\b401\b|unauthorized|incorrect username or password|no basic auth credentials|authentication required/i.test(
      output,
    )
  ) {
    if (credentialHelper !== undefined) {
      const helper = `docker-credential-${credentialHelper}`;
      return new UserError(
        `Can't ${action}: the registry ${registry} refused the credentials from ${helper}.`,
        {
          suggestions: [
            `Your Docker configuration has ${helper} fetch them${credentialHelper === 'ecr-login' ? ', with the AWS credentials of its own environment (AWS_PROFILE, AWS_REGION)' : ''}: check what it answers with \`echo ${registry} | ${helper} get\`.`,
            `Or remove "${registry}" from credHelpers in your Docker configuration: traefikctl then logs Docker in with a temporary ECR token of its own.`,
            ...said,
          ],
          code: 'REGISTRY_UNAUTHORIZED',
        },
      );
    }
    return new UserError(`Can't ${action}: the registry ${registry} refused the credentials.`, {
      suggestions: [
        'The ECR token belongs to another account or region than this registry: check --profile, --region and the `registry` setting.',
        ...said,
      ],
      code: 'REGISTRY_UNAUTHORIZED',
    });
  }
  if (/denied|\b403\b|forbidden/i.test(output)) {
    return new UserError(`Can't ${action}: the registry ${registry} denied access.`, {
      suggestions: [
        'Check that your AWS role may push to this repository (ecr:InitiateLayerUpload, ecr:PutImage and related), or use another profile (--profile).',
        ...said,
      ],
      code: 'REGISTRY_DENIED',
    });
  }
  if (/server gave HTTP response to HTTPS client/i.test(output)) {
    return new UserError(`Can't ${action}: the registry ${registry} speaks plain HTTP.`, {
      suggestions: [
        `Add "${registry}" to "insecure-registries" in the Docker daemon's configuration, or serve the registry over HTTPS.`,
        ...said,
      ],
      code: 'REGISTRY_INSECURE',
    });
  }
  if (/x509|certificate/i.test(output)) {
    return new UserError(
      `Can't ${action}: the registry ${registry} has a certificate Docker doesn't trust.`,
      {
        suggestions: [
          'Check the system clock and any TLS-intercepting proxy; trust its CA in Docker.',
          ...said,
        ],
        code: 'REGISTRY_TLS',
      },
    );
  }
  if (
    /connection refused|no such host|i\/o timeout|network is unreachable|TLS handshake timeout|dial tcp|EOF$/im.test(
      output,
    )
  ) {
    return new UserError(`Can't reach the registry ${registry}.`, {
      suggestions: [
        'Check your network connection and proxy settings (the Docker daemon makes this connection, with its own proxy settings).',
        'If you set `registry` in traefikctl.config.*, check the host and port.',
        ...said,
      ],
      code: 'REGISTRY_UNREACHABLE',
    });
  }
  return undefined;
}

function lastMatchingLine(output: string, pattern: RegExp): string | undefined {
  const lines = output
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return [...lines].reverse().find((line) => pattern.test(line)) ?? lines.at(-1);
}
