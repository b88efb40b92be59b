import type { Hook } from '@oclif/core';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decideUpdateCheck, SKIP_ENV, touch } from '../lib/update/check.js';

/**
 * Tells a person at a terminal, at most once a day, that a newer traefikctl is out; asks the registry
 * at most once a week, from a detached process, so no command waits on the network. Silent and
 * offline in CI, in pipes and with TRAEFIKCTL_SKIP_NEW_VERSION_CHECK=1.
 *
 * This replaces @oclif/plugin-warn-if-update-available (STYLE.md §15) with the same behaviour and
 * cache files: the plugin read npm's whole configuration on every command, `--help` included, which
 * cost a fifth of the start-up budget (bench/RESULTS.md). Here the common path is two stat calls.
 */
const hook: Hook.Init = async function (options) {
  const { config } = options;
  const now = Date.now();
  const decision = decideUpdateCheck({
    version: config.version,
    cacheDir: config.cacheDir,
    env: process.env,
    stderrIsTty: Boolean(process.stderr.isTTY),
    now,
  });
  if (decision.notify !== undefined) {
    process.stderr.write(
      `A new ${config.bin} is available: ${config.version} → ${decision.notify}\n` +
        `  → npm install --global ${config.name}@${decision.notify}  (${SKIP_ENV}=1 hides this)\n`,
    );
    safely(() => touch(join(config.cacheDir, 'last-warning'), now));
  }
  if (decision.refresh) {
    safely(() => {
      mkdirSync(config.cacheDir, { recursive: true });
      // Touched first, so that the commands run while the registry answers don't ask it again.
      touch(join(config.cacheDir, 'version'), now);
    });
    const { spawn } = await import('node:child_process');
    const script = fileURLToPath(new URL('update-check-refresh.js', import.meta.url));
    safely(() =>
      spawn(process.execPath, [script, config.cacheDir, config.name], {
        detached: true,
        stdio: 'ignore',
        windowsHide: true,
      }).unref(),
    );
  }
};

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // A read-only or missing cache directory costs the notice, never the command.
  }
}

export default hook;
