import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import { ExitCode } from '../../lib/errors.js';
import type { Route } from '../../lib/routes/open.js';

export default class Routes extends BaseCommand<typeof Routes> {
  static override summary = "List Traefik's routers with their servers, app and tag.";
  static override description = `Reads every router and service from Traefik's API and joins them with the ECS deployments of
the environment: each route's host, status, servers UP out of total, provider, app/tag and age.
Deployments Traefik hasn't discovered show as "missing"; \`routes show\` explains any route.
On a terminal the table is aligned; in a pipe it is tab-separated without a header. --watch keeps
it live (q quits, / filters, arrows and Enter show details, s sorts).
--traffic adds req/s, the 4xx and 5xx shares and p50/p95 latency per route from Traefik's metrics
(read with the API's password): from two reads --window apart, or between refreshes with --watch,
where each route also gets a sparkline. Latencies are estimates within their histogram bucket.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> routes',
    '<%= config.bin %> routes --app whoami --status enabled',
    '<%= config.bin %> routes --watch --interval 5s',
    '<%= config.bin %> routes --json | jq ".[] | select(.attention != []) | .name"',
    '<%= config.bin %> routes --api-url https://traefik.dev.example.com --search login',
    '<%= config.bin %> routes --traffic --window 10s --json | jq ".[] | {name, traffic}"',
  ];

  static override enableJsonFlag = true;

  static override flags = {
    app: Flags.string({ summary: 'Only the routes of this app.' }),
    status: Flags.option({
      options: ['enabled', 'warning', 'disabled', 'missing'] as const,
      summary: 'Only routes with this status ("missing": deployed, but no router in Traefik).',
    })(),
    provider: Flags.string({ summary: 'Only routes of this Traefik provider, e.g. ecs or file.' }),
    search: Flags.string({
      summary: 'Only routes whose name, rule, host, service, app or tag contains this text.',
    }),
    watch: Flags.boolean({ summary: 'Keep the list live, refreshing in place.', exclusive: ['json'] }),
    interval: Flags.string({
      summary: 'Time between refreshes with --watch, e.g. 2s (the default), 500ms, 1m.',
      dependsOn: ['watch'],
    }),
    'api-url': Flags.string({
      summary: "Traefik's API address (default: traefik.apiUrl in the config, else the cluster's).",
    }),
    traffic: Flags.boolean({
      summary: "Add req/s, 4xx and 5xx shares and p50/p95 latency per route, from Traefik's metrics.",
    }),
    window: Flags.string({
      summary:
        'With --traffic and without --watch, the time between the two reads of the metrics, e.g. 3s (the default), 10s.',
      exclusive: ['watch'],
    }),
  };

  async run(): Promise<Route[] | undefined> {
    const [{ openEnvironment }, { openRoutesSource }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/routes/open.js'),
    ]);
    const { parseInterval } = await import('../../lib/duration.js');
    const { filterRoutes, wantsInternalRouters } = await import('../../lib/routes/filter.js');
    const flags = this.flags;
    const intervalMs = flags.watch ? parseInterval(flags.interval ?? '2s') : 0;
    const filter = { app: flags.app, status: flags.status, provider: flags.provider, search: flags.search };
    const traffic = flags.traffic || flags.window !== undefined;
    const trafficLib = traffic ? await import('../../lib/traffic/open.js') : undefined;
    const windowMs = flags.window === undefined ? undefined : trafficLib?.parseWindow(flags.window);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      apiUrl: flags['api-url'],
    });
    const includeInternal = wantsInternalRouters(filter);
    const [opened, reader] = await Promise.all([
      environment.target === 'docker'
        ? (await import('../../lib/local/routes.js')).openLocalRoutesSource(await environment.local(), {
            includeInternal,
          })
        : openRoutesSource(environment, { includeInternal }),
      trafficLib?.openTrafficReader({ access: () => environment.traefik(), windowMs }),
    ]);
    const source =
      trafficLib === undefined || reader === undefined
        ? opened
        : trafficLib.routesWithTraffic(opened, reader, { waitForWindow: !flags.watch });
    try {
      if (flags.watch) {
        const { runRoutesWatch } = await import('../../ui/routes/run-watch.js');
        const summary = await runRoutesWatch(source, {
          filter,
          intervalMs,
          presentation: this.presentation,
          io: this.io,
        });
        this.note(summary.line);
        if (summary.interrupted) this.setExitCode(ExitCode.Interrupted);
        return undefined;
      }
      const snapshot = await source.snapshot();
      const routes = filterRoutes(snapshot.routes, filter);
      if (snapshot.ecsProblem) this.note(`${snapshot.ecsProblem}\nRoutes are shown without app and tag.`);
      const { trafficColumns, trafficLegend, trafficNote } = await import('../../ui/traffic.js');
      const note = trafficNote(snapshot.traffic);
      if (note !== undefined) this.note(note);
      if (this.presentation.mode !== 'json') {
        const { renderRoutesTable, attentionHint } = await import('../../ui/routes/table.js');
        const extra = snapshot.traffic?.state === 'ready' ? trafficColumns<Route>() : [];
        if (routes.length > 0)
          this.io.stdout.write(renderRoutesTable(routes, this.presentation, Date.now(), extra));
        else
          this.note(snapshot.routes.length > 0 ? 'No routes match the filters.' : 'Traefik has no routers.');
        const legend = trafficLegend(snapshot.traffic);
        if (legend !== undefined && this.presentation.stdoutIsTty && routes.length > 0) this.note(legend);
        const hint = attentionHint(routes);
        if (hint !== undefined) this.note(hint);
      }
      return routes;
    } finally {
      await source.close();
    }
  }
}
