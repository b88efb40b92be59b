import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { AppUrlsResult } from '../../lib/app/urls.js';
import type { TrafficStatus } from '../../lib/traffic/open.js';
import { ExitCode } from '../../lib/errors.js';

export default class AppUrls extends BaseCommand<typeof AppUrls> {
  static override summary = 'List the live deployments of an environment with their URLs and health.';
  static override description = `Every deployment traefikctl manages in the environment (read from the ECS service tags): app, tag, URL, running/desired tasks, rollout state, and, when Traefik's API is configured, the route's status and how many of its servers are UP. Also the age, who deployed it and when it expires. --check sends one GET to each URL (5s timeout each, all at once) and exits 6 when one doesn't answer. --traffic adds req/s, the 4xx and 5xx shares and p50/p95 latency (estimates within their histogram bucket) from Traefik's metrics, read twice --window apart.

On a terminal the table is aligned with relative times; in a pipe it is tab-separated without a header, with ISO 8601 times. --json prints {env, cluster, traefik, deployments[]}.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app urls',
    '<%= config.bin %> app urls whoami --env staging --check',
    '<%= config.bin %> app urls --json | jq -r ".deployments[].url"',
    '<%= config.bin %> app urls --traffic --json | jq ".deployments[] | {app, tag, traffic}"',
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
    traffic: Flags.boolean({
      summary: "Add req/s, 4xx and 5xx shares and p50/p95 latency per deployment, from Traefik's metrics.",
    }),
    window: Flags.string({
      summary: 'With --traffic, the time between the two reads of the metrics, e.g. 3s (the default), 10s.',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<AppUrlsResult & { traffic?: TrafficStatus | undefined }> {
    const [{ openEnvironment }, { appUrls, probeResolver }, { openCi }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/app/urls.js'),
      import('../../lib/ci/session.js'),
    ]);
    const resolve = probeResolver(this.flags['probe-address']);
    const probe = resolve === undefined ? undefined : { resolve };
    // --traffic: /metrics is read beside ECS and the API (src/lib/traffic/open.ts).
    const trafficLib =
      this.flags.traffic || this.flags.window !== undefined
        ? await import('../../lib/traffic/open.js')
        : undefined;
    const windowMs = this.flags.window === undefined ? undefined : trafficLib?.parseWindow(this.flags.window);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      app: this.args.app,
    });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).appUrls(this, await environment.local(), {
        app: this.args.app,
        check: this.flags.check,
      });
    try {
      const reader = trafficLib?.openTrafficReader({ access: () => environment.traefik(), windowMs });
      reader?.catch(() => undefined);
      const { context, clients } = environment;
      const outputs = await environment.outputs();
      const listed = await appUrls({
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
      const { withDeploymentTraffic } = await import('../../lib/traffic/open.js');
      const reading = reader === undefined ? undefined : await (await reader).read({ waitForWindow: true });
      const result = withDeploymentTraffic(listed, reading);
      const { trafficColumns, trafficNote } = await import('../../ui/traffic.js');
      const note = trafficNote(result.traffic);
      if (note !== undefined) this.note(note);
      // In GitHub Actions, the job summary lists them too; no token needed (only a summary is written).
      await (
        await openCi({}, { cwd: process.cwd(), global: this.globalOptions(), stream: this.io.stderr })
      ).listed(result);
      if (this.presentation.mode !== 'json') {
        const [{ renderUrlsTable, urlsNotes }, { stylist }] = await Promise.all([
          import('../../ui/app-urls.js'),
          import('../../ui/style.js'),
        ]);
        const extra =
          result.traffic?.state === 'ready' ? trafficColumns<(typeof result.deployments)[number]>() : [];
        this.io.stdout.write(renderUrlsTable(result, this.presentation, Date.now(), extra));
        for (const note of urlsNotes(result, stylist(this.presentation.color))) this.note(note);
      }
      if (result.deployments.some((row) => row.check !== undefined && !row.check.ok))
        this.setExitCode(ExitCode.ProbeFailed);
      return result;
    } finally {
      await environment.close();
    }
  }
}
