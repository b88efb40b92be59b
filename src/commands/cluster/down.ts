import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { ClusterDownResult } from '../../lib/cluster/down.js';
import type { LocalClusterDownResult } from '../../lib/local/cluster.js';

export default class ClusterDown extends BaseCommand<typeof ClusterDown> {
  static override summary = 'Remove the Traefik cluster of an environment.';
  static override description = `Deletes the stack traefikctl-<env> (load balancer, Traefik, security groups, roles, log group) and the Traefik API password in SSM, streaming the stack's progress. Refuses while app deployments are live in the environment; --force removes them first (scaled to 0, then deleted). Asks on a terminal; needs --yes anywhere else. Exits 1 when the environment has no cluster and nothing of one is left to remove (a mistyped --env); what a removal that stopped halfway left behind is removed, with exit 0.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> cluster down --env dev',
    '<%= config.bin %> cluster down --env preview-42 --yes --force',
  ];

  static override flags = {
    yes: Flags.boolean({ summary: 'Remove without asking (needed outside a terminal).' }),
    force: Flags.boolean({ summary: 'Also remove the app deployments that are live in the environment.' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<ClusterDownResult | LocalClusterDownResult | undefined> {
    const { flags } = this;
    const refusal = {
      message: 'cluster down deletes the cluster and needs confirmation, and there is no terminal to ask on.',
      suggestions: [
        `Pass --yes to remove it: traefikctl cluster down${flags.env ? ` --env ${flags.env}` : ''} --yes`,
        // Said now: the refusal comes before anything is read, so it can't know whether there are any.
        ...(flags.force
          ? []
          : ['If app deployments are still live in it, add --force to remove them with it.']),
      ],
    };
    const cwd = process.cwd();
    const [{ openEnvironment }, down, ui, { assertCanConfirm }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/cluster/down.js'),
      import('../../ui/cluster-output.js'),
      import('../../ui/confirm.js'),
    ]);
    // Refused before anything is read: without a terminal, only --yes can say go.
    assertCanConfirm({ presentation: this.presentation, yes: flags.yes, refusal });
    const environment = await openEnvironment({ cwd, global: this.globalOptions() });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).clusterDown(this, await environment.local(), flags);
    const { context: ctx, clients } = environment;
    try {
      const plan = await down.planClusterDown(clients, ctx);
      down.assertDownAllowed(plan, flags.force);
      this.note(ui.describeDown(plan, flags.force, this.presentation.color).trimEnd());
      if (!(await this.confirm(`Remove the cluster of ${ctx.env}?`, { yes: flags.yes, refusal }))) {
        this.note('Nothing was removed.');
        return undefined;
      }
      const result = await down.clusterDown({
        clients,
        plan,
        force: flags.force,
        onEvent: await this.progress(`Remove the cluster of ${ctx.env}`),
      });
      await this.endProgress();
      if (this.presentation.mode !== 'json') this.result(ui.formatDownResult(result, this.presentation));
      return result;
    } finally {
      await environment.close();
    }
  }
}
