import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import { ciFlags, dotenvFlag } from '../../ci-flags.js';
import type { DeployResult } from '../../lib/app/deploy/index.js';
import type { DryRunResult } from '../../lib/app/deploy/dry-run.js';
import type { LocalDryRunResult } from '../../lib/local/dry-run.js';
import { parseTimeout } from '../../lib/duration.js';
import { ExitCode } from '../../lib/errors.js';

export default class AppDeploy extends BaseCommand<typeof AppDeploy> {
  static override summary = 'Deploy a tagged build of an app to its own URL, and wait until it answers.';
  static override description = `Registers a task definition (image pinned by its ECR digest, Traefik labels for
<app>-<tag>.<env>.<domain>), creates or updates the ECS service <app>-<tag>, then follows the rollout of this
deployment, waits for Traefik to route it and probes the URL. Before it changes anything it checks the
cluster, the image, the service and that Traefik's API answers (exit 1 otherwise, nothing changed; unless
--skip-route-check or --no-wait). stdout is only the URL, so
URL=$(traefikctl app deploy whoami --tag v2) works; progress goes to stderr. Deploying the same tag again
updates its service, or only re-checks it when nothing changed. While it waits, it stops (exit 3) when the
service is deleted or another deploy of the tag takes it over. Ctrl-C stops at once (exit 130), saying what
may have changed and how to check; --timeout bounds the whole command the same way (exit 4).

--dry-run prints the whole plan and changes nothing; it works without AWS credentials or a cluster, and lists
what it could not check. It exits 1 when it finds that the deploy would fail (no such image in ECR, the
service name taken by another tag, another deployment in progress, Traefik's API not answering). On an env of target docker (--env local) it
plans the local container instead: name, image in the engine, network, labels, environment, URL and the diff
against the container of the tag that runs; without Docker it still prints the plan.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app deploy whoami --tag v2 --dry-run',
    'URL=$(<%= config.bin %> app deploy whoami --tag "$GITHUB_SHA" --env staging)',
    '<%= config.bin %> app deploy whoami --tag feature/login --build --timeout 15m',
    '<%= config.bin %> app deploy whoami --tag v2 --json | jq -r .url',
  ];

  static override enableJsonFlag = true;

  static override args = {
    app: Args.string({ description: 'App to deploy (default: the only app in the config).' }),
  };

  static override flags = {
    tag: Flags.string({
      summary: 'Tag of the build, as CI names it (v2, feature/login, a SHA).',
      required: true,
    }),
    'dry-run': Flags.boolean({ summary: 'Print the plan (and the diff against what runs); change nothing.' }),
    build: Flags.boolean({ summary: 'Build and push the image first (as `image push` does).' }),
    wait: Flags.boolean({
      summary: 'Wait for rollout, route and URL; --no-wait returns once ECS accepted the change.',
      default: true,
      allowNo: true,
    }),
    timeout: Flags.string({
      summary:
        'Give up after this long, AWS calls, rollout, route and URL probe included (exit 4): 90s, 10m, 1h (1s to 24h).',
      default: '10m',
    }),
    force: Flags.boolean({
      summary: 'Replace a deployment in progress; start new tasks even if nothing changed.',
    }),
    ttl: Flags.string({
      summary: "Mark the deployment to expire after this long (overrides the app's ttl), e.g. 3d.",
    }),
    'skip-route-check': Flags.boolean({ summary: "Don't wait for Traefik's API to show the route." }),
    'skip-probe': Flags.boolean({ summary: "Don't probe the URL." }),
    'on-failure': Flags.option({
      options: ['scale-to-zero', 'keep', 'destroy'] as const,
      summary:
        "What a first-time tag whose rollout failed becomes (default: the app's onFailure, else scale-to-zero); a tag that ran before is rolled back by ECS.",
    })(),
    'prune-oldest': Flags.boolean({
      summary:
        "At the app's maxDeployments, remove the oldest deployments (expired and idle first) instead of refusing.",
    }),
    'probe-address': Flags.string({
      summary:
        'Send the URL probe to this host[:port] (e.g. the load balancer before DNS exists), with the deployment Host header.',
    }),
    ...ciFlags,
    ...dotenvFlag,
  };

  async run(): Promise<DeployResult | DryRunResult | LocalDryRunResult> {
    const { flags } = this;
    // Checked first, dry run or not: a CI step learns of a bad --timeout before it deploys for real.
    const timeoutMs = parseTimeout(flags.timeout);
    const request = {
      cwd: process.cwd(),
      global: this.globalOptions(),
      app: this.args.app,
      tag: flags.tag,
      ttl: flags.ttl,
    };
    const { openEnvironment } = await import('../../lib/env/open.js');
    const environment = await openEnvironment({ cwd: request.cwd, global: request.global });
    try {
      if (flags['dry-run']) {
        if (environment.target === 'docker')
          return await (
            await import('../../ui/local-commands.js')
          ).appDeployDryRun(this, {
            ...request,
            context: environment.context,
            build: flags.build,
            force: flags.force,
          });
        const { dryRunDeploy } = await import('../../lib/app/deploy/dry-run.js');
        const plan = await dryRunDeploy({
          ...request,
          environment,
          build: flags.build,
          force: flags.force,
          onFailure: flags['on-failure'],
          wait: flags.wait,
          skipRouteCheck: flags['skip-route-check'],
        });
        if (this.presentation.mode !== 'json') {
          const { formatDryRun } = await import('../../ui/deploy-plan.js');
          this.result(
            formatDryRun(plan, { color: this.presentation.color && this.presentation.stdoutIsTty }),
          );
        }
        // The plan is printed either way; a CI plan step still learns that the deploy would fail.
        if (plan.problems.length > 0) this.setExitCode(ExitCode.Failure);
        return plan;
      }

      // In CI: outputs, summary, GitHub deployment and PR comment (src/lib/ci); nothing elsewhere. A
      // local deploy gets the outputs and the summary only.
      const { openCi } = await import('../../lib/ci/session.js');
      const ci = await openCi(
        { githubTokenEnv: flags['github-token-env'], prComment: flags['pr-comment'], dotenv: flags.dotenv },
        {
          cwd: request.cwd,
          global: request.global,
          configuration: environment.context,
          stream: this.io.stderr,
          target: environment.target,
        },
      );
      await ci.deployStarting(request);
      const options = {
        ...request,
        build: flags.build,
        force: flags.force,
        wait: flags.wait,
        timeoutMs,
        skipRouteCheck: flags['skip-route-check'],
        skipProbe: flags['skip-probe'],
        // Ctrl-C aborts what is in flight (exit 130, saying what may have changed and how to go on or
        // roll back); a second one exits at once.
        signal: this.interruptSignal(),
        onEvent: ci.sink(await this.progress(`Deploy ${this.args.app ?? 'app'} --tag ${flags.tag}`)),
      };
      const deploying =
        environment.target === 'docker'
          ? import('../../lib/local/deploy.js').then(({ deployLocal }) =>
              deployLocal({ ...options, context: environment.context }),
            )
          : import('../../lib/app/deploy/index.js').then(({ deployApp }) =>
              deployApp({
                ...options,
                environment,
                probeAddress: flags['probe-address'],
                onFailure: flags['on-failure'],
                pruneOldest: flags['prune-oldest'],
              }),
            );
      const result = await deploying.catch(async (error: unknown) => {
        await this.endProgress();
        await ci.deployFailed(request, error);
        throw error;
      });
      await this.endProgress();
      await ci.deployFinished(result);
      if (this.presentation.mode !== 'json') this.result(result.url);
      return result;
    } finally {
      await environment.close();
    }
  }
}
