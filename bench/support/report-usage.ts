/**
 * `node --import bench/support/report-usage.ts ...`: writes the process's peak resident set size
 * and CPU time to $BENCH_USAGE_OUT as JSON when it exits, so the bench can read a child's peak
 * memory without GNU time.
 */
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_USAGE_OUT;
if (out !== undefined) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    writeFileSync(
      out,
      JSON.stringify({
        maxRssBytes: usage.maxRSS * 1024,
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
      }),
    );
  });
}
