import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../base-command.js';
import { ExitCode, UserError, usageError } from '../lib/errors.js';
import type { InitAnswers } from '../lib/init/write-config.js';

export interface InitResult extends InitAnswers {
  filepath: string;
  replaced: boolean;
}

export default class Init extends BaseCommand<typeof Init> {
  static override summary = 'Write a commented traefikctl.config.yaml in the current directory.';
  static override description = `On a terminal, asks for the domain, AWS region, default environment and app name, suggesting the flag values, AWS_REGION and the package.json or directory name. Elsewhere (a pipe, CI, --yes) it asks nothing: pass --domain, and --app when the directory name is not an app name.

Every key in the file has a one-line comment; optional keys are shown commented out with an example. An existing configuration is never replaced without --force.

Prints the path of the file on stdout and the next steps on stderr; --json prints {filepath, replaced, domain, region, env, app}.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> init',
    '<%= config.bin %> init --yes --domain example.com --region eu-west-1 --app whoami',
    '<%= config.bin %> init --yes --domain example.com --env staging --force',
  ];

  static override flags = {
    domain: Flags.string({
      summary: 'Domain under which deployments get their hostnames, e.g. example.com.',
    }),
    app: Flags.string({
      summary: 'Name of the app in this directory (default: the package.json or directory name).',
    }),
    yes: Flags.boolean({ summary: 'Ask nothing: take the flags and the suggested values.' }),
    force: Flags.boolean({ summary: 'Replace an existing traefikctl.config.yaml.' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<InitResult> {
    const cwd = process.cwd();
    const init = await import('../lib/init/write-config.js');
    const { domain, app, yes, force, region, env } = this.flags;
    const given = { domain, region, env, app };
    init.checkAnswers(given);
    await init.checkWritable(cwd, force);
    const suggested = await init.suggestAnswers(cwd, given);

    let answers: InitAnswers | undefined;
    if (this.presentation.interactive && !yes) {
      const { askInitAnswers } = await import('../ui/init-form.js');
      answers = await askInitAnswers(suggested, init.answerProblem);
      if (answers === undefined) {
        throw new UserError('Cancelled: nothing was written.', {
          exitCode: ExitCode.Interrupted,
          code: 'CANCELLED',
        });
      }
    } else {
      if (suggested.domain === undefined) {
        throw usageError('traefikctl init needs a domain and cannot ask for one here.', [
          'Pass --domain example.com.',
        ]);
      }
      if (suggested.app === undefined) {
        throw usageError("traefikctl init can't tell the app's name from this directory.", [
          'Pass --app whoami.',
        ]);
      }
      answers = { ...suggested, domain: suggested.domain, env: suggested.env ?? 'dev', app: suggested.app };
    }

    const written = await init.writeConfig({ cwd, answers, force });
    if (this.presentation.mode !== 'json') this.result(written.filepath);
    this.note(['Next:', ...init.nextSteps(answers).map((step) => `  ${step}`)].join('\n'));
    return { ...written, ...answers };
  }
}
