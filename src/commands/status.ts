import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../base-command.js';
import { ExitCode } from '../lib/errors.js';
import type { EnvStatus } from '../lib/status/env.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary =
    'Show an environment at a glance: cluster, Traefik and every deployment, problems first.';
  static override description = `One screen per environment: the cluster stack and Traefik's tasks, Traefik's API (version and
routes by status), then every deployment with its URL, rollout, running/desired tasks, route status,
servers UP and expiry, the ones with problems first, and the routers no live deployment owns.
--watch refreshes it in place (q quits). In a pipe, one tab-separated row per deployment on stdout
and the summary on stderr. Exits 0 whatever it finds in the cluster, problems included (--json has
a "problems" count to gate on). Exits 1 when the environment has no cluster, as cluster status does.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --env staging --watch',
    '<%= config.bin %> status --json | jq ".problems"',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    watch: Flags.boolean({ summary: 'Keep the screen live, refreshing in place.', exclusive: ['json'] }),
    interval: Flags.string({
      summary: 'Time between refreshes with --watch, e.g. 5s (the default), 1m.',
      dependsOn: ['watch'],
    }),
    'api-url': Flags.string({
      summary: "Traefik's API address (default: traefik.apiUrl in the config, else the cluster's).",
    }),
  };

  async run(): Promise<EnvStatus | undefined> {
    const [{ openEnvironment }, { openEnvStatus }] = await Promise.all([
      import('../lib/env/open.js'),
      import('../lib/status/env.js'),
    ]);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      apiUrl: this.flags['api-url'],
    });
    const source =
      environment.target === 'docker'
        ? (await import('../lib/local/status.js')).openLocalEnvStatus(await environment.local())
        : openEnvStatus(environment);
    try {
      if (this.flags.watch) {
        const [{ parseInterval }, { runStatusWatch }] = await Promise.all([
          import('../lib/routes/watch.js'),
          import('../ui/status-watch.js'),
        ]);
        const intervalMs = parseInterval(this.flags.interval ?? '5s');
        const result = await runStatusWatch(source, {
          intervalMs,
          presentation: this.presentation,
          io: this.io,
        });
        this.note(result.line);
        if (result.interrupted) this.setExitCode(ExitCode.Interrupted);
        return undefined;
      }
      const status = await source.read();
      if (this.presentation.mode !== 'json') {
        const { renderEnvStatus, statusNotes } = await import('../ui/status.js');
        this.io.stdout.write(renderEnvStatus(status, this.presentation));
        if (!this.presentation.stdoutIsTty) for (const line of statusNotes(status)) this.note(line);
      }
      return status;
    } finally {
      await source.close();
    }
  }
}
