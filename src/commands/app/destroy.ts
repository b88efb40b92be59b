import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import { ciFlags } from '../../ci-flags.js';
import type { DestroyedDeployment } from '../../lib/app/destroy.js';

export default class AppDestroy extends BaseCommand<typeof AppDestroy> {
  static override summary = 'Remove one deployment: its ECS service and its task definition revisions.';
  static override description = `Shows what it will remove, asks on a terminal (or needs --yes anywhere else), then scales the service to 0, deletes it and deregisters the task definition revisions registered for it in this environment. Revisions of the same family that belong to another environment are kept and listed. A deployment redeployed after it was listed is left alone. Run it again after a removal that stopped halfway (a timeout, Ctrl-C): a service already deleted has its remaining revisions deregistered. --json prints the removed deployment.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app destroy whoami --tag v2',
    '<%= config.bin %> app destroy whoami --tag "$GITHUB_HEAD_REF" --env preview --yes',
  ];

  static override args = {
    app: Args.string({ description: 'App whose deployment to remove.', required: true }),
  };

  static override flags = {
    tag: Flags.string({
      summary: 'Tag of the deployment, as it was deployed (or its slug).',
      required: true,
    }),
    yes: Flags.boolean({ summary: 'Remove without asking (needed outside a terminal).' }),
    ...ciFlags,
  };

  static override enableJsonFlag = true;

  async run(): Promise<DestroyedDeployment | undefined> {
    const [{ openEnvironment }, { planDestroy, destroyDeployments }, ui, { checkTag }, { openCi }] =
      await Promise.all([
        import('../../lib/env/open.js'),
        import('../../lib/app/destroy.js'),
        import('../../ui/app-remove.js'),
        import('../../lib/naming.js'),
        import('../../lib/ci/session.js'),
      ]);
    const { app } = this.args;
    const { tag, yes } = this.flags;
    // Refused as app deploy and image push refuse it, before anything is read.
    checkTag(tag);
    const ci = await openCi(
      { githubTokenEnv: this.flags['github-token-env'], prComment: this.flags['pr-comment'] },
      { cwd: process.cwd(), global: this.globalOptions(), stream: this.io.stderr },
    );
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      app,
    });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).appDestroy(this, await environment.local(), {
        app,
        tag,
        yes,
      });
    try {
      const { context, clients } = environment;
      const outputs = await environment.outputs();
      const target = await planDestroy(clients, { cluster: outputs.cluster, env: context.env, app, tag });
      this.note(ui.describeRemoval([target], { color: this.presentation.color }).trimEnd());
      const retry = `traefikctl app destroy ${app} --tag ${JSON.stringify(tag)} --env ${context.env}`;
      if (
        !(await ui.confirmRemoval({ presentation: this.presentation, io: this.io, yes, count: 1, retry }))
      ) {
        this.note('Nothing was removed.');
        return undefined;
      }
      const [result] = await destroyDeployments(clients, [target], {
        onEvent: ci.sink(await this.progress(`Destroy ${app} ${tag}`)),
      });
      await this.endProgress();
      await ci.destroyed(result, { app, tag, env: context.env });
      if (result !== undefined && this.presentation.mode !== 'json') {
        this.io.stdout.write(ui.renderRemovalTable([result], this.presentation));
      }
      return result;
    } finally {
      await environment.close();
    }
  }
}
