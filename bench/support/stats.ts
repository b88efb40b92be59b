/** Small statistics and reporting helpers shared by the bench scripts. */
import { cpus, loadavg, totalmem } from 'node:os';

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** Least-squares slope of y over x (e.g. bytes per refresh). */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  const mx = xs.slice(0, n).reduce((a, b) => a + b, 0) / n;
  const my = ys.slice(0, n).reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += ((xs[i] as number) - mx) * ((ys[i] as number) - my);
    den += ((xs[i] as number) - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export const ms = (value: number): string => `${value.toFixed(value < 10 ? 1 : 0)} ms`;
export const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
export const ratio = (value: number): string => `${value.toFixed(2)}x`;

/** A GitHub-flavoured markdown table (RESULTS.md takes it as is; it reads fine in a terminal too). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((cell, i) => Math.max(cell.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** One line about the machine and how busy it is: the numbers below mean little without it. */
export function machineLine(): string {
  const cpu = cpus();
  const [one, five] = loadavg();
  return `${cpu.length} x ${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}, load average ${one?.toFixed(2)} (1 min) ${five?.toFixed(2)} (5 min)`;
}

export const smoke = process.env.BENCH_SMOKE === '1' || process.env.BENCH_SMOKE === 'true';

/** Prints a budget line and remembers a miss; `finish()` turns misses into exit code 1 (not in smoke mode). */
export class Budgets {
  readonly #missed: string[] = [];
  check(name: string, ok: boolean, detail: string): void {
    console.log(`${ok ? 'PASS' : smoke ? 'MISS (smoke: not enforced)' : 'FAIL'}  ${name}: ${detail}`);
    if (!ok) this.#missed.push(name);
  }
  finish(): void {
    if (this.#missed.length > 0 && !smoke) {
      console.log(`\n${this.#missed.length} budget(s) missed: ${this.#missed.join('; ')}`);
      process.exitCode = 1;
    }
  }
}
