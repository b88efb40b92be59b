import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import { ciFlags } from '../../ci-flags.js';
import type { PruneResult } from '../../lib/app/prune.js';

export default class AppPrune extends BaseCommand<typeof AppPrune> {
  static override summary = 'Remove old, surplus or expired deployments of an environment.';
  static override description = `Selects deployments by age (--older-than, from traefikctl:deployed-at), by count (--keep: all but the newest N of each app) or by expiry (--expired: traefikctl:expires-at is past). A deployment is removed only when it matches every criterion given, so "--older-than 7d --keep 3" never removes one of an app's 3 newest. Lists what it will remove, asks on a terminal (or needs --yes anywhere else), then removes exactly that list: service and task definition revisions, as \`app destroy\` does. --closed narrows to deployments whose pull request is closed (tag pr-<n>) or whose branch is gone (the tag is the branch), asked of GitHub with GITHUB_TOKEN for GITHUB_REPOSITORY; alone, it looks at every deployment. --dry-run only lists. --json prints {env, criteria, deployments[], kept, dryRun}.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app prune --older-than 7d --dry-run',
    '<%= config.bin %> app prune whoami --keep 5 --yes',
    '<%= config.bin %> app prune --expired --env preview --yes --json',
    '<%= config.bin %> app prune --closed --env preview --yes',
  ];

  static override args = {
    app: Args.string({ description: 'Only deployments of this app.' }),
  };

  static override flags = {
    'older-than': Flags.string({ summary: 'Deployed longer ago than this: 12h, 7d, 2w.' }),
    keep: Flags.integer({ summary: 'Keep the newest N deployments of each app.', min: 0 }),
    expired: Flags.boolean({ summary: "Past their expiry (the app's ttl)." }),
    closed: Flags.boolean({
      summary:
        'Whose pull request is closed (tag pr-<n>) or whose branch is gone (tag = branch), asked of GitHub (GITHUB_TOKEN, GITHUB_REPOSITORY).',
    }),
    'dry-run': Flags.boolean({ summary: 'List what would be removed; change nothing.' }),
    yes: Flags.boolean({ summary: 'Remove without asking (needed outside a terminal).' }),
    ...ciFlags,
  };

  static override enableJsonFlag = true;

  async run(): Promise<PruneResult> {
    const [{ openEnvironment }, { checkCriteria, planPrune, pruneResult }, { destroyDeployments }, ui] =
      await Promise.all([
        import('../../lib/env/open.js'),
        import('../../lib/app/prune.js'),
        import('../../lib/app/destroy.js'),
        import('../../ui/app-remove.js'),
      ]);
    const flags = this.flags;
    const { openCi } = await import('../../lib/ci/session.js');
    const ci = await openCi(
      { githubTokenEnv: flags['github-token-env'], prComment: flags['pr-comment'] },
      { cwd: process.cwd(), global: this.globalOptions(), stream: this.io.stderr },
    );
    const criteria = {
      olderThan: flags['older-than'],
      keep: flags.keep,
      expired: flags.expired || undefined,
    };
    // --closed asks GitHub (src/lib/ci/prune-closed.ts); without a token and repository it is bad input.
    const closed = flags.closed ? await import('../../lib/ci/prune-closed.js') : undefined;
    const access = closed?.checkClosedAccess(process.env, flags['github-token-env']);
    checkCriteria(closed?.criteriaForClosed(criteria) ?? criteria);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      app: this.args.app,
    });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).appPrune(this, await environment.local(), {
        app: this.args.app,
        criteria,
        dryRun: flags['dry-run'],
        yes: flags.yes,
        retry: `traefikctl app prune ${this.argv.join(' ')}`,
      });
    try {
      const { context, clients } = environment;
      const outputs = await environment.outputs();
      const planned = await planPrune(clients, {
        cluster: outputs.cluster,
        env: context.env,
        app: this.args.app,
        criteria: closed?.criteriaForClosed(criteria) ?? criteria,
      });
      const plan = closed && access ? await closed.narrowToClosed(planned, criteria, access) : planned;
      if (plan.targets.length === 0) {
        this.note(
          `Nothing to prune in env ${context.env} (${plan.kept} deployment${plan.kept === 1 ? '' : 's'} kept).`,
        );
        const nothing = pruneResult(plan, { dryRun: flags['dry-run'] });
        await ci.pruned(nothing);
        return nothing;
      }
      this.note(ui.describeRemoval(plan.targets, { color: this.presentation.color }).trimEnd());
      const retry = `traefikctl app prune ${this.argv.join(' ')}`;
      const go =
        !flags['dry-run'] &&
        (await ui.confirmRemoval({
          presentation: this.presentation,
          io: this.io,
          yes: flags.yes,
          count: plan.targets.length,
          retry,
          listOnly: `${retry} --dry-run`,
        }));
      const removed = go
        ? await destroyDeployments(clients, plan.targets, {
            onEvent: ci.sink(await this.progress(`Prune ${context.env}`)),
          })
        : undefined;
      await this.endProgress();
      const result = pruneResult(plan, { dryRun: flags['dry-run'], removed });
      await ci.pruned(result);
      if (!go && !flags['dry-run']) this.note('Nothing was removed.');
      else if (this.presentation.mode !== 'json')
        this.io.stdout.write(ui.renderRemovalTable(result.deployments, this.presentation));
      return result;
    } finally {
      await environment.close();
    }
  }
}
