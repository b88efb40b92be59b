import { Args, Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { PushImageResult } from '../../lib/image/push.js';

export default class ImagePush extends BaseCommand<typeof ImagePush> {
  static override summary = 'Build an app image and push it to its ECR repository.';
  static override description = `Creates the ECR repository when it is missing (scan on push, the configured tag mutability), logs Docker in with a fresh ECR token inside a temporary Docker config that is removed afterwards, builds the image for the app's platform (linux/amd64 by default, what Fargate runs), and pushes every --tag, plus the git short SHA when the app is in a git repository. A tag Docker does not accept (feature/x) is pushed as its slug (feature-x).

Prints the digest-pinned image reference on stdout; --json prints {app, repository, registry, tags, digest, imageUri, pushedAt}.

The registry host comes from ECR; set \`registry\` in the configuration to push elsewhere (a mirror, an emulator).

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> image push whoami --tag v2',
    '<%= config.bin %> image push whoami --tag "$GITHUB_REF_NAME" --tag latest --json',
    '<%= config.bin %> image push whoami --tag v2 --platform linux/arm64',
    'docker build --tag whoami:v2 . && <%= config.bin %> image push whoami --tag v2 --no-build',
  ];

  static override args = {
    app: Args.string({
      description:
        'App to push (default: the only app in the configuration, else the package or directory name).',
    }),
  };

  static override flags = {
    tag: Flags.string({
      summary: 'Tag to push; repeat it for several tags.',
      multiple: true,
      required: true,
    }),
    platform: Flags.string({
      summary: "Platform to build for (default: the app's `platform`, else linux/amd64).",
    }),
    'no-build': Flags.boolean({
      summary: 'Push the local image <repository>:<first tag> instead of building one.',
    }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<PushImageResult> {
    const cwd = process.cwd();
    const [{ openEnvironment }, { pushImage }] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/image/push.js'),
    ]);
    const environment = await openEnvironment({ cwd, global: this.globalOptions() });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).imagePush(this, await environment.local(), {
        app: this.args.app,
        tags: this.flags.tag,
        platform: this.flags.platform,
        noBuild: this.flags['no-build'],
      });
    const { context: ctx, clients } = environment;
    try {
      const { name, app } = await environment.app(this.args.app, cwd);
      const result = await pushImage({
        app: name,
        appConfig: app,
        configDir: ctx.configDir,
        tags: this.flags.tag,
        platform: this.flags.platform,
        noBuild: this.flags['no-build'],
        registryOverride: ctx.registry,
        clients,
        onEvent: await this.progress(`Push ${name}`),
      });
      await this.endProgress();
      if (this.presentation.mode !== 'json') this.result(result.imageUri);
      return result;
    } finally {
      await environment.close();
    }
  }
}
