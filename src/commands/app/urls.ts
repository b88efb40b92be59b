import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { AppUrlsResult } from '../../lib/app/urls.js';
import { ExitCode } from '../../lib/errors.js';

export default class AppUrls extends BaseCommand<typeof AppUrls> {
  static override summary = 'List the live deployments of an environment with their URLs and health.';
  static override description = `Every deployment traefikctl manages in the environment (read from the ECS service tags): app, tag, URL, running/desired tasks, rollout state, and, when Traefik's API is configured, the route's status and how many of its servers are UP. Also the age, who deployed it and when it expires. --check sends one GET to each URL (5s timeout each, all at once) and exits 6 when one doesn't answer.

On a terminal the table is aligned with relative times; in a pipe it is tab-separated without a header, with ISO 8601 times. --json prints {env, cluster, traefik, deployments[]}.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app urls',
    '<%= config.bin %> app urls whoami --env staging --check',
    '<%= config.bin %> app urls --json | jq -r ".deployments[].url"',
  ];

  static override args = {
    app: Args.string({ description: 'Only the deployments of this app.' }),
  };

  static override flags = {
    check: Flags.boolean({ summary: 'Probe each URL and show its HTTP status; exit 6 when one fails.' }),
    'probe-address': Flags.string({
      summary:
        "With --check, send every probe to this host[:port] (e.g. the load balancer before DNS exists), with each URL's Host header.",
      dependsOn: ['check'],
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<AppUrlsResult> {
    const [{ openAppEnvironment }, { appUrls }, { probeResolver }] = await Promise.all([
      import('../../lib/app/list-context.js'),
      import('../../lib/app/urls.js'),
      import('../../lib/app/urls-probe.js'),
    ]);
    const resolve = probeResolver(this.flags['probe-address']);
    const probe = resolve === undefined ? undefined : { resolve };
    const { context, clients, outputs } = await openAppEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      app: this.args.app,
    });
    try {
      const result = await appUrls({
        clients,
        env: context.env,
        outputs,
        traefik: context.traefik,
        app: this.args.app,
        check: this.flags.check,
        probe,
        apps: context.apps,
        region: context.region,
        profile: context.profile,
      });
      if (this.presentation.mode !== 'json') {
        const [{ renderUrlsTable, urlsNotes }, { stylist }] = await Promise.all([
          import('../../ui/app-urls.js'),
          import('../../ui/style.js'),
        ]);
        process.stdout.write(renderUrlsTable(result, this.presentation));
        for (const note of urlsNotes(result, stylist(this.presentation.color))) this.note(note);
      }
      if (result.deployments.some((row) => row.check !== undefined && !row.check.ok))
        process.exitCode = ExitCode.ProbeFailed;
      return result;
    } finally {
      await clients.destroy();
    }
  }
}
