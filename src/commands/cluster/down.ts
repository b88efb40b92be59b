import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { ClusterDownResult } from '../../lib/cluster/down.js';
import type { LocalClusterDownResult } from '../../lib/local/cluster.js';
import { usageError } from '../../lib/errors.js';

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
    if (!flags.yes && !this.presentation.interactive) {
      throw usageError(
        'cluster down deletes the cluster and needs confirmation, and there is no terminal to ask on.',
        [`Pass --yes to remove it: traefikctl cluster down${flags.env ? ` --env ${flags.env}` : ''} --yes`],
        'CONFIRMATION_REQUIRED',
      );
    }
    const local = await (
      await import('../../lib/local/environment.js')
    ).openLocalEnvironment(process.cwd(), this.globalOptions());
    if (local !== undefined)
      return (await import('../../ui/local-commands.js')).clusterDown(this, local, flags);
    const cwd = process.cwd();
    const [{ loadContext }, { AwsClients }, down, ui, { confirmOnTerminal }] = await Promise.all([
      import('../../lib/config/resolve.js'),
      import('../../lib/aws/clients.js'),
      import('../../lib/cluster/down.js'),
      import('../../ui/cluster-output.js'),
      import('../../ui/confirm.js'),
    ]);
    const ctx = await loadContext(cwd, this.globalOptions());
    const clients = new AwsClients({ region: ctx.region, profile: ctx.profile });
    try {
      const plan = await down.planClusterDown(clients, ctx);
      down.assertDownAllowed(plan, flags.force);
      this.note(ui.describeDown(plan, flags.force, this.presentation.color).trimEnd());
      if (!flags.yes && !(await confirmOnTerminal(`Remove the cluster of ${ctx.env}?`))) {
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
      await clients.destroy();
    }
  }
}
