/**
 * GitHub Deployments for traefikctl's deployments: one per env, app and tag (environment
 * `dev/whoami-v2`, transient), whose statuses follow the deploy: in_progress -> success with the URL,
 * or failure with the run's log; `app destroy` and `app prune` mark it inactive. The repository's
 * Environments page and the pull request's timeline then show the live URL.
 */
import { serviceName } from '../naming.js';
import type { Repository } from './detect.js';
import { asPermissionError, type GitHubClient } from './github-api.js';

/** `dev/whoami-v2`: the env, then the deployment's ECS service name (app and tag slug). */
export function environmentName(env: string, app: string, tag: string): string {
  return `${env}/${serviceName(app, tag)}`;
}

export interface NewDeployment {
  ref: string;
  environment: string;
  app: string;
  tag: string;
  env: string;
  pullRequest?: number | undefined;
}

export type DeploymentState = 'in_progress' | 'success' | 'failure' | 'error' | 'inactive';

/** Creates the deployment; its first status is in_progress. Returns GitHub's id. */
export async function createDeployment(
  client: GitHubClient,
  repo: Repository,
  wanted: NewDeployment,
): Promise<number> {
  try {
    const { data } = await client.request('POST /repos/{owner}/{repo}/deployments', {
      ...repo,
      ref: wanted.ref,
      environment: wanted.environment,
      task: 'deploy',
      // A deployment of a commit that CI already built: no merge of the default branch, no status checks.
      auto_merge: false,
      required_contexts: [],
      transient_environment: true,
      production_environment: false,
      description: `traefikctl app deploy ${wanted.app} --tag ${wanted.tag} --env ${wanted.env}`.slice(
        0,
        140,
      ),
      payload: {
        traefikctl: {
          app: wanted.app,
          tag: wanted.tag,
          env: wanted.env,
          ...(wanted.pullRequest === undefined ? {} : { pullRequest: wanted.pullRequest }),
        },
      },
    });
    if (!('id' in data)) throw new Error(`GitHub did not create the deployment: ${data.message ?? 'no id'}`);
    return Number(data.id);
  } catch (error) {
    throw asPermissionError(error, 'deployments: write');
  }
}

export interface StatusUpdate {
  state: DeploymentState;
  environmentUrl?: string | undefined;
  logUrl?: string | undefined;
  description?: string | undefined;
}

export async function setDeploymentStatus(
  client: GitHubClient,
  repo: Repository,
  deploymentId: number,
  update: StatusUpdate,
): Promise<void> {
  try {
    await client.request('POST /repos/{owner}/{repo}/deployments/{deployment_id}/statuses', {
      ...repo,
      deployment_id: deploymentId,
      state: update.state,
      ...(update.environmentUrl === undefined ? {} : { environment_url: update.environmentUrl }),
      ...(update.logUrl === undefined ? {} : { log_url: update.logUrl }),
      ...(update.description === undefined ? {} : { description: update.description.slice(0, 140) }),
      // A success makes the environment's earlier deployments inactive (one live URL per environment).
      ...(update.state === 'success' ? { auto_inactive: true } : {}),
    });
  } catch (error) {
    throw asPermissionError(error, 'deployments: write');
  }
}

/** How many deployments of an environment are looked at when marking them inactive. */
const MAX_DEPLOYMENTS = 30;

/**
 * Marks the environment's deployments inactive (the tag was destroyed or pruned): the newest ones,
 * whose latest status isn't inactive already. Returns how many were marked.
 */
export async function markInactive(
  client: GitHubClient,
  repo: Repository,
  environment: string,
  description: string,
): Promise<number> {
  try {
    const { data } = await client.request('GET /repos/{owner}/{repo}/deployments', {
      ...repo,
      environment,
      per_page: MAX_DEPLOYMENTS,
    });
    let marked = 0;
    for (const deployment of data) {
      const { data: statuses } = await client.request(
        'GET /repos/{owner}/{repo}/deployments/{deployment_id}/statuses',
        { ...repo, deployment_id: Number(deployment.id), per_page: 1 },
      );
      if (statuses[0]?.state === 'inactive') continue;
      await setDeploymentStatus(client, repo, Number(deployment.id), { state: 'inactive', description });
      marked += 1;
    }
    return marked;
  } catch (error) {
    throw asPermissionError(error, 'deployments: write');
  }
}
