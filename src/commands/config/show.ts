import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { ConfigView } from '../../lib/config/show.js';

export default class ConfigShow extends BaseCommand<typeof ConfigShow> {
  static override summary = 'Print the configuration that commands run here would use.';
  static override description = `Finds the configuration from the current directory upward (to the git root, else the home directory) unless --config names the file, checks it, fills in \${VAR} references and defaults, and applies --env, --region and --profile (and TRAEFIKCTL_ENV, AWS_REGION, AWS_PROFILE) over \`environments.<env>\` and the top-level keys.

Prints YAML on stdout and the file it came from on stderr; --json prints {configPath, env, region, profile, domain, cluster, hostTemplate, registry, environment, traefik, apps}. Container environment variables and build arguments that come from \${VAR} are shown as written, never as their values.

A configuration with mistakes exits 2 and lists every one as \`file:line:col: key ...\`, in the order of the file.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> config show',
    '<%= config.bin %> config show --env staging --json',
  ];

  static override enableJsonFlag = true;

  async run(): Promise<ConfigView> {
    const cwd = process.cwd();
    const { showConfig, configViewToYaml, configSource } = await import('../../lib/config/show.js');
    const view = await showConfig({
      ...this.globalOptions(),
      cwd,
    });
    if (this.presentation.mode !== 'json') this.result(configViewToYaml(view));
    this.note(configSource(view));
    return view;
  }
}
