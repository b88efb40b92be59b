import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { Route } from '../../lib/routes/open.js';

export default class RoutesShow extends BaseCommand<typeof RoutesShow> {
  static override summary = 'Show one router: its rule, middlewares, service, servers and errors.';
  static override description = `Shows one Traefik router joined with its service, each server and its status (UP/DOWN), the
deployment it belongs to (ECS, or the containers of a docker env), Traefik's errors and why it needs attention. Name the router in full
(whoami-v2@ecs), without its provider when that is unambiguous (whoami-v2), or by its host.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> routes show whoami-v2@ecs',
    '<%= config.bin %> routes show whoami-v2.dev.example.com --env dev',
    '<%= config.bin %> routes show api@internal --json',
  ];

  static override enableJsonFlag = true;

  static override args = {
    router: Args.string({ description: 'Router name (name@provider), name, or host.', required: true }),
  };

  static override flags = {
    'api-url': Flags.string({
      summary: "Traefik's API address (default: traefik.apiUrl in the config, else the cluster's).",
    }),
  };

  async run(): Promise<Route> {
    const [{ openEnvironment }, { openRoutesSource }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/routes/open.js'),
    ]);
    const { findRoute } = await import('../../lib/routes/find.js');
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      apiUrl: this.flags['api-url'],
    });
    // A docker env reads its local Traefik and the containers' labels, as `routes` does.
    const source =
      environment.target === 'docker'
        ? await (
            await import('../../lib/local/routes.js')
          ).openLocalRoutesSource(await environment.local(), { includeInternal: true })
        : await openRoutesSource(environment, { includeInternal: true });
    try {
      const snapshot = await source.snapshot();
      const route = findRoute(snapshot.routes, this.args.router);
      if (snapshot.ecsProblem) this.note(snapshot.ecsProblem);
      if (this.presentation.mode !== 'json') {
        const { formatRouteDetails } = await import('../../ui/routes/details.js');
        this.io.stdout.write(formatRouteDetails(route, this.presentation.color));
      }
      return route;
    } finally {
      await source.close();
    }
  }
}
