import type { ECRClient, Repository } from '@aws-sdk/client-ecr';

import { awsErrorName, explainAwsError } from '../aws/errors.js';
import type { EventSink } from '../events.js';

export const MANAGED_TAG = { Key: 'traefikctl:managed', Value: 'true' } as const;

export interface EnsuredRepository {
  name: string;
  /** `<account>.dkr.ecr.<region>.amazonaws.com/<name>` as ECR reports it. */
  uri: string | undefined;
  created: boolean;
  tagMutability: string | undefined;
}

/**
 * The ECR repository `name`, created when missing (scan on push, the configured tag mutability, tagged
 * `traefikctl:managed=true`). An existing repository is used as it is: it is not re-tagged as managed
 * (traefikctl didn't create it, so it must never be what a cleanup removes) and its settings are not
 * changed; a differing tag mutability is reported as a warning. Two pushes racing to create it both
 * succeed.
 */
export async function ensureRepository(
  ecr: ECRClient,
  name: string,
  tagMutability: 'MUTABLE' | 'IMMUTABLE',
  emit: EventSink,
): Promise<EnsuredRepository> {
  const { CreateRepositoryCommand } = await import('@aws-sdk/client-ecr');
  const existing = await describe(ecr, name);
  if (existing) return reuse(existing, name, tagMutability, emit);

  try {
    const created = await ecr.send(
      new CreateRepositoryCommand({
        repositoryName: name,
        imageTagMutability: tagMutability,
        imageScanningConfiguration: { scanOnPush: true },
        tags: [{ ...MANAGED_TAG }],
      }),
    );
    return {
      name,
      uri: created.repository?.repositoryUri,
      created: true,
      tagMutability: created.repository?.imageTagMutability ?? tagMutability,
    };
  } catch (error) {
    if (awsErrorName(error) === 'RepositoryAlreadyExistsException') {
      // Someone (another CI job pushing the same app) created it between our describe and create.
      const raced = await describe(ecr, name);
      if (raced) return reuse(raced, name, tagMutability, emit);
    }
    throw explainAwsError(
      error,
      `create the ECR repository ${name}`,
      'ecr:CreateRepository (and ecr:TagResource, to tag it on creation)',
    );
  }
}

async function describe(ecr: ECRClient, name: string): Promise<Repository | undefined> {
  const { DescribeRepositoriesCommand } = await import('@aws-sdk/client-ecr');
  try {
    const answer = await ecr.send(new DescribeRepositoriesCommand({ repositoryNames: [name] }));
    return answer.repositories?.find((repository) => repository.repositoryName === name);
  } catch (error) {
    if (awsErrorName(error) === 'RepositoryNotFoundException') return undefined;
    throw explainAwsError(error, `look up the ECR repository ${name}`, 'ecr:DescribeRepositories');
  }
}

function reuse(
  repository: Repository,
  name: string,
  wanted: 'MUTABLE' | 'IMMUTABLE',
  emit: EventSink,
): EnsuredRepository {
  const actual = repository.imageTagMutability;
  if (actual !== undefined && !actual.startsWith(wanted)) {
    emit({
      type: 'warning',
      message: `The ECR repository ${name} has tag mutability ${actual}, but the configuration says ${wanted}; it is left as it is.`,
      hint: `Change it with \`aws ecr put-image-tag-mutability --repository-name ${name} --image-tag-mutability ${wanted}\`, or update the configuration.`,
    });
  }
  return { name, uri: repository.repositoryUri, created: false, tagMutability: actual };
}
