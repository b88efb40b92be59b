import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { ClusterStatus as ClusterStatusResult } from '../../lib/cluster/status.js';
import type { LocalClusterStatus } from '../../lib/local/cluster.js';

export default class ClusterStatus extends BaseCommand<typeof ClusterStatus> {
  static override summary = 'Show the Traefik cluster of an environment: stack, Traefik, API, deployments.';
  static override description = `Shows the stack traefikctl-<env> and its outputs, how many Traefik tasks run, Traefik's version and health through its API (logging in with the password from SSM), the URL pattern of deployments and how many are live. Exits 1 when the environment has no cluster. Never shows the API password or its hash. --json prints the status object.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> cluster status --env dev',
    '<%= config.bin %> cluster status --env prod --json | jq .api',
  ];

  static override enableJsonFlag = true;

  async run(): Promise<ClusterStatusResult | LocalClusterStatus> {
    const cwd = process.cwd();
    const [{ openEnvironment }, { clusterStatus }, ui] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/cluster/status.js'),
      import('../../ui/cluster-output.js'),
    ]);
    const environment = await openEnvironment({ cwd, global: this.globalOptions() });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).clusterStatus(this, await environment.local());
    const { context: ctx, clients } = environment;
    try {
      const status = await clusterStatus({
        clients,
        context: ctx,
        traefikAccess: () => environment.traefik(),
      });
      if (this.presentation.mode !== 'json') this.result(ui.formatStatus(status, this.presentation));
      return status;
    } finally {
      await environment.close();
    }
  }
}
