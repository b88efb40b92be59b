import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { LogsResult } from '../../lib/app/logs.js';

export default class AppLogs extends BaseCommand<typeof AppLogs> {
  static override summary = "Show a deployment's logs from CloudWatch, or follow them.";
  static override description = `Reads the CloudWatch Logs of the deployment's tasks (the environment's log group, streams named after the ECS service) from --since on, in time order. --follow keeps printing new lines: with CloudWatch's live tail where it is available, else by polling every 2 seconds. Ctrl-C ends --follow and exits 0: following has no other end, so stopping it is not a failure.

On a terminal each line shows the local time, a short task id and the message; in a pipe it is "<ISO 8601 time> <tab> <task id> <tab> <message>". --json (without --follow) prints {app, tag, env, logGroup, streamPrefix, since, events[]}.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> app logs whoami --tag v2',
    '<%= config.bin %> app logs whoami --tag v2 --follow --since 1h',
    '<%= config.bin %> app logs whoami --tag v2 --since 2026-08-22T14:00:00Z | grep ERROR',
  ];

  static override args = {
    app: Args.string({ description: 'App whose logs to show.', required: true }),
  };

  static override flags = {
    tag: Flags.string({
      summary: 'Tag of the deployment, as it was deployed (or its slug).',
      required: true,
    }),
    since: Flags.string({
      summary: 'How far back to start: 10m, 2h, 1d, or an ISO 8601 time.',
      default: '10m',
    }),
    follow: Flags.boolean({ summary: 'Keep printing new lines until Ctrl-C.', exclusive: ['json'] }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<LogsResult | undefined> {
    const [{ openEnvironment }, { appLogs }, { formatLogLine }, { checkTag }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/app/logs.js'),
      import('../../ui/app-logs.js'),
      import('../../lib/naming.js'),
    ]);
    const { app } = this.args;
    // Refused as app deploy and image push refuse it, before anything is read.
    checkTag(this.flags.tag);
    const environment = await openEnvironment({
      cwd: process.cwd(),
      global: this.globalOptions(),
      app,
    });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).appLogs(this, await environment.local(), {
        app,
        tag: this.flags.tag,
        since: this.flags.since,
        follow: this.flags.follow,
      });
    const { context, clients } = environment;
    const outputs = await environment.outputs().catch(async (error: unknown) => {
      await environment.close();
      throw error;
    });
    const stop = new AbortController();
    const onSignal = () => stop.abort();
    process.once('SIGINT', onSignal);
    // A closed pipe (`| head`) ends the output the way Ctrl-C does.
    this.io.stdout.once('error', onSignal);
    try {
      const json = this.presentation.mode === 'json';
      return await appLogs(clients, {
        env: context.env,
        cluster: outputs.cluster,
        logGroup: outputs.logGroup,
        app,
        tag: this.flags.tag,
        since: this.flags.since,
        follow: this.flags.follow,
        signal: stop.signal,
        // Lines go to stdout as they come; only --verbose says how (live tail or polling), on stderr.
        onEvent: (event) => {
          if (this.flags.verbose && (event.type === 'step' || event.type === 'warning'))
            this.note(event.message);
        },
        ...(json ? {} : { onLine: (line) => this.io.stdout.write(formatLogLine(line, this.presentation)) }),
      });
    } finally {
      process.off('SIGINT', onSignal);
      this.io.stdout.off('error', onSignal);
      await environment.close();
    }
  }
}
