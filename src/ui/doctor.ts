import type { CheckResult } from '../lib/doctor/checks.js';
import type { DoctorReport } from '../lib/doctor/run.js';
import type { Presentation } from './mode.js';
import { stylist } from './style.js';
import { visibleData } from './visible.js';

/** One line per check, the fix under each check that did not pass, a summary line last. */
export function formatDoctorReport(outside: DoctorReport, presentation: Presentation): string {
  // Details quote AWS, Docker and Traefik.
  const report = visibleData(outside);
  const s = stylist(presentation.color);
  const width = Math.max(...report.checks.map((c) => c.title.length));
  const icon = (status: CheckResult['status']) => {
    switch (status) {
      case 'ok':
        return s.green('✓');
      case 'fail':
        return s.red('✗');
      case 'warn':
        return s.yellow('!');
      case 'skip':
        return s.dim('-');
    }
  };
  const lines: string[] = [];
  for (const check of report.checks) {
    const detail = check.status === 'skip' ? s.dim(`skipped: ${check.detail}`) : check.detail;
    lines.push(`${icon(check.status)} ${check.title.padEnd(width)}  ${detail}`);
    if (check.fix && check.status !== 'ok') lines.push(`  ${' '.repeat(width)}  ${s.dim('→')} ${check.fix}`);
  }
  const failed = report.checks.filter((c) => c.status === 'fail').length;
  lines.push('');
  lines.push(
    failed === 0
      ? s.green(`All checks passed for env ${report.env}.`)
      : s.red(`${failed} check${failed === 1 ? '' : 's'} failed for env ${report.env}.`),
  );
  return `${lines.join('\n')}\n`;
}
