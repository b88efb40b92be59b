import { BaseCommand, EXIT_CODES_HELP } from '../base-command.js';
import type { DoctorReport } from '../lib/doctor/run.js';
import { ExitCode } from '../lib/errors.js';

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary = 'Check that everything traefikctl needs is in place.';
  static override description = `Checks Node.js, the Docker daemon, the configuration, the AWS region and credentials, the
ECS cluster of the environment and, when configured, the Traefik API. Prints one line per check and a fix
for each failure; exits 1 when a check fails.

${EXIT_CODES_HELP}`;

  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --env staging --profile deploy',
    '<%= config.bin %> doctor --json | jq ".checks[] | select(.status == \\"fail\\")"',
  ];

  static override enableJsonFlag = true;

  async run(): Promise<DoctorReport> {
    const { runDoctor } = await import('../lib/doctor/run.js');
    const report = await runDoctor({
      cwd: process.cwd(),
      global: this.globalOptions(),
    });
    if (this.presentation.mode !== 'json') {
      const { formatDoctorReport } = await import('../ui/doctor.js');
      this.result(formatDoctorReport(report, this.presentation));
    }
    if (!report.ok) this.setExitCode(ExitCode.Failure);
    return report;
  }
}
