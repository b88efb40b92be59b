/**
 * The CI observer in GitHub Actions: step outputs, job summaries, annotations and groups through the
 * toolkit; with a token, GitHub Deployments and one PR comment through the REST API. Every GitHub
 * failure becomes one warning (one per permission missing) and never changes the command's outcome.
 */
import { phaseRecorder } from '../app/deploy/phases.js';
import type { DeployResult } from '../model.js';
import { describeError } from '../errors.js';
import type { EventSink } from '../events.js';
import { gitHubRun, pullRequestOf, runUrl, type Repository } from './detect.js';
import { createDeployment, environmentName, markInactive, setDeploymentStatus } from './deployments.js';
import { actionsToolkit, type CommandStream } from './github.js';
import { gitHubClient, gitHubErrorText, GitHubPermissionError, type GitHubClient } from './github-api.js';
import { upsertPrComment, type CommentRow } from './pr-comment.js';
import type { CiContext, CiObserver, DeployRequestInfo } from './observer.js';
import {
  deployFailureSummary,
  deploySummary,
  destroySummary,
  pruneSummary,
  urlsSummary,
  type SummaryBlock,
} from './summary.js';

export interface GitHubObserverOptions extends CiContext {
  env: NodeJS.ProcessEnv;
  stream: CommandStream;
  token: string | undefined;
  prComment: boolean;
}

const TITLE = 'traefikctl';

export async function gitHubObserver(options: GitHubObserverOptions): Promise<CiObserver> {
  const toolkit = await actionsToolkit(options.stream);
  // Not `::add-mask::`: that command would put the token itself on stderr, where a wrapper script may
  // keep it. Tokens from `secrets.*` (GITHUB_TOKEN included) are masked by the runner already.
  const { token } = options;
  const run = gitHubRun(options.env);
  const pullRequest = await pullRequestOf(run);
  const sha = pullRequest?.headSha ?? run.sha;

  const warned = new Set<string>();
  const warn = (key: string, text: string) => {
    if (warned.has(key)) return;
    warned.add(key);
    toolkit.warning(text, TITLE);
  };
  /** Runs a GitHub call; a refusal or an outage becomes a warning, never an exception. */
  const guarded = async <T>(what: string, call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (error) {
      if (error instanceof GitHubPermissionError) {
        warn(
          `permission:${error.permission}`,
          `${what}: the token lacks the \`${error.permission}\` permission (GitHub answered ${error.status}). ` +
            `Grant it to the job: \`permissions: { ${error.permission} }\`. The deploy itself is not affected.`,
        );
      } else {
        warn(
          `api:${what}`,
          `${what}: the GitHub API failed (${gitHubErrorText(error)}). The deploy itself is not affected.`,
        );
      }
      return undefined;
    }
  };

  let api: Promise<{ client: GitHubClient; repo: Repository } | undefined> | undefined;
  const github = () => {
    api ??= (async () => {
      if (token === undefined) return undefined;
      if (run.repository === undefined) {
        warn('repository', 'GitHub deployments are off: GITHUB_REPOSITORY is not set as owner/name.');
        return undefined;
      }
      const client = await gitHubClient({ token, baseUrl: run.apiUrl, ...options.github });
      return { client, repo: run.repository };
    })();
    return api;
  };

  const summary = async (blocks: SummaryBlock[]) => {
    try {
      await toolkit.writeSummary(blocks);
    } catch (error) {
      warn('summary', `Can't write the job summary: ${describeError(error)}`);
    }
  };

  const comment = async (row: CommentRow) => {
    if (!options.prComment || pullRequest === undefined) return;
    const gh = await github();
    if (gh === undefined) return;
    await guarded(`The comment on pull request #${pullRequest.number} is not updated`, () =>
      upsertPrComment(gh.client, gh.repo, pullRequest.number, row),
    );
  };

  const inactive = async (env: string, app: string, tag: string, why: string) => {
    const gh = await github();
    if (gh === undefined) return;
    await guarded('The GitHub deployment is not marked inactive', () =>
      markInactive(gh.client, gh.repo, environmentName(env, app, tag), why),
    );
  };

  /** A deployment `app destroy` or `app prune` removed: its GitHub deployment inactive, its comment row "removed". */
  const removed = async (env: string, app: string, tag: string, by: 'destroy' | 'prune') => {
    await inactive(env, app, tag, `Removed by traefikctl app ${by}`);
    await comment({ env, app, tag, url: '', status: 'removed', updatedAt: new Date().toISOString() });
  };

  // The phases the deploy went through, for the failure status: recorded as the deploy's result records them.
  const phases = phaseRecorder(() => undefined);
  let names: { env: string; app: string } | undefined;
  /**
   * The GitHub deployment is created when the deploy's first phase starts, not before: input the
   * deploy refuses (exit 2, nothing changed) must leave nothing on GitHub either.
   */
  let record: (() => Promise<number | undefined>) | undefined;
  let creation: Promise<number | undefined> | undefined;
  const begin = () => {
    if (record !== undefined) creation ??= record();
  };

  /** The env and app the deploy acts on, from the configuration (as the deploy itself reads it). */
  const resolveNames = async (request: DeployRequestInfo) => {
    try {
      const { loadContext, resolveApp } = await import('../config/resolve.js');
      const context = options.configuration ?? (await loadContext(options.cwd, options.global));
      const app = await resolveApp(context, request.app, options.cwd);
      return { env: context.env, app: app.name };
    } catch {
      return undefined; // the deploy fails on the same input, and says why
    }
  };

  const sink = (inner: EventSink): EventSink => {
    let open: string | undefined;
    return (event) => {
      if (event.type === 'phase') {
        begin();
        phases.emit(event);
        if (event.status === 'running' && open !== event.id) {
          if (open !== undefined) toolkit.endGroup();
          open = event.id;
          toolkit.startGroup(event.title);
        } else if (event.status !== 'running' && open === event.id) {
          // Closed before the phase's result line, which stays visible outside the group.
          toolkit.endGroup();
          open = undefined;
        }
      } else if (event.type === 'warning') {
        toolkit.warning(event.hint === undefined ? event.message : `${event.message}\n${event.hint}`, TITLE);
      }
      inner(event);
    };
  };

  return {
    sink,

    async deployStarting(request) {
      names = await resolveNames(request);
      if (names === undefined || sha === undefined) return;
      const { env, app } = names;
      record = async () => {
        const gh = await github();
        if (gh === undefined) return undefined;
        return guarded('The GitHub deployment is not recorded', async () => {
          const id = await createDeployment(gh.client, gh.repo, {
            ref: sha,
            environment: environmentName(env, app, request.tag),
            app,
            tag: request.tag,
            env,
            pullRequest: pullRequest?.number,
          });
          await setDeploymentStatus(gh.client, gh.repo, id, {
            state: 'in_progress',
            logUrl: runUrl(run),
            description: `Deploying ${app} ${request.tag}`,
          });
          return id;
        });
      };
    },

    async deployFinished(result: DeployResult) {
      begin();
      const deployment = await creation;
      toolkit.setOutputs({
        url: result.url,
        host: result.host,
        service: result.service,
        image: result.image,
        'deployment-id': result.deploymentId,
        status: result.status,
        'github-deployment-id': deployment === undefined ? undefined : String(deployment),
      });
      await summary(deploySummary(result));
      const gh = deployment === undefined ? undefined : await github();
      if (gh !== undefined && deployment !== undefined) {
        const id = deployment;
        // --no-wait: ECS accepted the change; nobody saw it live, so the deployment stays in progress.
        if (result.status !== 'applied')
          await guarded('The GitHub deployment status is not updated', () =>
            setDeploymentStatus(gh.client, gh.repo, id, {
              state: 'success',
              environmentUrl: result.url,
              logUrl: runUrl(run),
              description: `${result.status === 'live' ? 'Live' : 'Rolled out'}: ${result.url}`,
            }),
          );
      }
      await comment({
        env: result.env,
        app: result.app,
        tag: result.tag,
        url: result.url,
        status: result.status === 'rolled-out' ? 'rolled out' : result.status,
        updatedAt: new Date().toISOString(),
      });
    },

    async deployFailed(request, error) {
      const where = `${names?.app ?? request.app ?? 'app'} ${request.tag}`;
      toolkit.error(describeError(error), `Deploy of ${where} failed`);
      toolkit.setOutputs({ status: 'failed' });
      const deployment = await creation;
      await summary(
        deployFailureSummary({
          app: names?.app ?? request.app,
          tag: request.tag,
          env: names?.env,
          phases: phases.phases(),
          error,
        }),
      );
      const gh = deployment === undefined ? undefined : await github();
      if (gh !== undefined && deployment !== undefined) {
        const id = deployment;
        await guarded('The GitHub deployment status is not updated', () =>
          setDeploymentStatus(gh.client, gh.repo, id, {
            state: 'failure',
            logUrl: runUrl(run),
            description: describeError(error),
          }),
        );
      }
      // Refused before its first phase: nothing was deployed, nothing to show on the PR.
      if (names !== undefined && creation !== undefined)
        await comment({
          env: names.env,
          app: names.app,
          tag: request.tag,
          url: '',
          status: 'failed',
          updatedAt: new Date().toISOString(),
        });
    },

    async destroyed(result, asked) {
      await summary(destroySummary(result, asked));
      if (result?.status !== 'removed') return;
      await removed(result.env, result.app, result.tag, 'destroy');
    },

    async pruned(result) {
      await summary(pruneSummary(result));
      for (const item of result.deployments) {
        if (item.status === 'removed') await removed(result.env, item.app, item.tag, 'prune');
      }
    },

    async listed(result) {
      await summary(urlsSummary(result));
    },
  };
}
