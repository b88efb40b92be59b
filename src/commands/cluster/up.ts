import { Flags } from '@oclif/core';

import { BaseCommand, EXIT_CODES_HELP } from '../../base-command.js';
import type { ClusterUpResult } from '../../lib/cluster/up/index.js';
import type { EventSink } from '../../lib/events.js';
import type { LocalClusterResult } from '../../lib/local/cluster.js';

const id = (pattern: RegExp, example: string) => (value: string) => {
  if (!pattern.test(value)) throw new Error(`${JSON.stringify(value)} is not ${example}.`);
  return Promise.resolve(value);
};

export default class ClusterUp extends BaseCommand<typeof ClusterUp> {
  static override summary = 'Create or update the Traefik cluster of an environment.';
  static override description = `Creates the CloudFormation stack traefikctl-<env>: an ECS cluster, Traefik v3 on Fargate (two tasks) behind an internet-facing load balancer, security groups that let traffic reach apps only through Traefik, and Traefik's API on traefik.<env>.<domain> behind basic auth. Without --vpc/--subnets it uses the default VPC.

The API password is generated once and stored in SSM Parameter Store as a SecureString (/traefikctl/<env>/traefik-api-password, or traefik.passwordParameter); the stack only gets its bcrypt hash. Running it again updates the stack only when the template or a setting changed, and keeps what platform teams tuned (task size and count, log retention). An update that replaces or removes resources asks first (or needs --yes). --dry-run shows CloudFormation's change set and changes nothing.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> cluster up --env dev',
    '<%= config.bin %> cluster up --env prod --certificate-arn arn:aws:acm:eu-west-1:123456789012:certificate/abc --hosted-zone-id Z123ABC',
    '<%= config.bin %> cluster up --env dev --vpc vpc-0abc --subnets subnet-0a,subnet-0b --dry-run',
  ];

  static override flags = {
    vpc: Flags.string({
      summary: 'VPC to create the cluster in (default: environments.<env>.vpc, else the default VPC).',
      parse: id(/^vpc-[0-9a-f]+$/, 'a VPC id such as vpc-0abc123'),
    }),
    subnets: Flags.string({
      summary: 'Comma-separated public subnets in two or more availability zones.',
      parse: id(/^subnet-[0-9a-f]+(,subnet-[0-9a-f]+)*$/, 'a list such as subnet-0a,subnet-0b'),
    }),
    'certificate-arn': Flags.string({
      summary: 'ACM certificate for *.<env>.<domain>: serve HTTPS and redirect HTTP to it.',
      parse: id(/^arn:aws[a-z-]*:acm:/, 'an ACM certificate ARN'),
    }),
    'hosted-zone-id': Flags.string({
      summary: 'Route53 hosted zone of the domain: add a wildcard record *.<env>.<domain>.',
      parse: id(/^Z[A-Z0-9]+$/, 'a hosted zone id such as Z123ABC'),
    }),
    'dry-run': Flags.boolean({ summary: 'Show what would change, and change nothing.' }),
    yes: Flags.boolean({ summary: 'Apply an update that replaces or removes resources without asking.' }),
  };

  static override enableJsonFlag = true;

  async run(): Promise<ClusterUpResult | LocalClusterResult> {
    const cwd = process.cwd();
    const [{ openEnvironment }, { clusterUp }, ui] = await Promise.all([
      import('../../lib/env/open.js'),
      import('../../lib/cluster/up/index.js'),
      import('../../ui/cluster-output.js'),
    ]);
    const { flags } = this;
    // Ctrl-C aborts the AWS call in flight and says what may be left (exit 130); a second one exits.
    const signal = this.interruptSignal();
    const environment = await openEnvironment({ cwd, global: this.globalOptions(), signal });
    if (environment.target === 'docker')
      return (await import('../../ui/local-commands.js')).clusterUp(this, await environment.local());
    const { context: ctx, clients } = environment;
    const title = `${flags['dry-run'] ? 'Plan' : 'Bring up'} the cluster of ${ctx.env}`;
    // The sink is swapped around a prompt: the live view must stop while the user answers.
    let emit: EventSink = await this.progress(title);
    try {
      const result = await clusterUp({
        clients,
        context: ctx,
        vpc: flags.vpc,
        subnets: flags.subnets?.split(','),
        certificateArn: flags['certificate-arn'],
        hostedZoneId: flags['hosted-zone-id'],
        dryRun: flags['dry-run'],
        yes: flags.yes,
        confirm: this.presentation.interactive
          ? async (question) => {
              await this.endProgress();
              const approved = await this.confirm(question, { yes: flags.yes });
              emit = await this.progress(title);
              return approved;
            }
          : undefined,
        onEvent: (event) => emit(event),
        signal,
      });
      await this.endProgress();
      if (this.presentation.mode !== 'json') this.result(ui.formatUpResult(result, this.presentation));
      return result;
    } finally {
      await environment.close();
    }
  }
}
