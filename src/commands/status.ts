import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../base-command.js';
import { ExitCode } from '../lib/errors.js';
import type { EnvStatus } from '../lib/status/env.js';
import type { TrafficStatus } from '../lib/traffic/open.js';

export default class Status extends BaseCommand<typeof Status> {
  static override summary =
    'Show an environment at a glance: cluster, Traefik and every deployment, problems first.';
  static override description = `One screen per environment: the cluster stack and Traefik's tasks, Traefik's API (version and
routes by status), then every deployment with its URL, rollout, running/desired tasks, route status,
servers UP and expiry, the ones with problems first, and the routers no live deployment owns.
--watch refreshes it in place (q quits). In a pipe, one tab-separated row per deployment on stdout
and the summary on stderr. Exits 0 whatever it finds in the cluster, problems included (--json has
a "problems" count to gate on). Exits 1 when the environment has no cluster, as cluster status does.
--traffic reads Traefik's metrics too and flags deployments whose 5xx share is above --max-5xx,
and those without a request since Traefik started, for longer than --idle-after (app prune candidates).

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --env staging --watch',
    '<%= config.bin %> status --json | jq ".problems"',
    '<%= config.bin %> status --traffic --max-5xx 2 --idle-after 3d',
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
    traffic: Flags.boolean({
      summary:
        "Flag deployments with too many 5xx, and idle ones (app prune candidates), from Traefik's metrics.",
    }),
    window: Flags.string({
      summary:
        'With --traffic and without --watch, the time between the two reads of the metrics (default 3s).',
      exclusive: ['watch'],
    }),
    'max-5xx': Flags.string({
      summary:
        'With --traffic, the share of 5xx (percent) above which a deployment is flagged; 5 by default.',
    }),
    'idle-after': Flags.string({
      summary:
        'With --traffic, flag deployments without a request for this long, e.g. 24h (the default), 3d.',
    }),
  };

  async run(): Promise<(EnvStatus & { traffic?: TrafficStatus | undefined }) | undefined> {
    const [{ openEnvironment }, { openEnvStatus }] = await Promise.all([
      import('../lib/env/open.js'),
      import('../lib/status/env.js'),
    ]);
    const flags = this.flags;
    const trafficOn = [flags.traffic, flags.window, flags['max-5xx'], flags['idle-after']].some(
      (flag) => flag !== undefined && flag !== false,
    );
    const traffic = trafficOn ? await import('../lib/traffic/status.js') : undefined;
    const trafficOpen = trafficOn ? await import('../lib/traffic/open.js') : undefined;
    const thresholds = traffic && {
      maxShare5xx:
        flags['max-5xx'] === undefined
          ? traffic.DEFAULT_THRESHOLDS.maxShare5xx
          : traffic.parseMaxShare(flags['max-5xx']),
      idleAfterMs:
        flags['idle-after'] === undefined
          ? traffic.DEFAULT_THRESHOLDS.idleAfterMs
          : traffic.parseIdleAfter(flags['idle-after']),
    };
    const windowMs = flags.window === undefined ? undefined : trafficOpen?.parseWindow(flags.window);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      apiUrl: flags['api-url'],
    });
    const opened =
      environment.target === 'docker'
        ? (await import('../lib/local/status.js')).openLocalEnvStatus(await environment.local())
        : openEnvStatus(environment);
    const reader = await trafficOpen?.openTrafficReader({ access: () => environment.traefik(), windowMs });
    const source =
      traffic === undefined || reader === undefined || thresholds === undefined
        ? opened
        : traffic.statusWithTraffic(opened, reader, { waitForWindow: !flags.watch, thresholds });
    try {
      if (this.flags.watch) {
        const [{ parseInterval }, { runStatusWatch }] = await Promise.all([
          import('../lib/duration.js'),
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
      const status: EnvStatus & { traffic?: TrafficStatus | undefined } = await source.read();
      const { trafficNote } = await import('../ui/traffic.js');
      const note = trafficNote(status.traffic);
      if (note !== undefined) this.note(note);
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
