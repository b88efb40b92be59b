import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { decideUpdateCheck, SKIP_ENV, touch } from '../lib/update/check.js';

export interface UpdateNoticeOptions {
  name: string;
  version: string;
  bin: string;
  cacheDir: string;
  /** dist/hooks/update-check-refresh.js, which asks the registry from a detached process. */
  refreshScript: URL;
}

/**
 * Tells a person at a terminal, at most once a day, that a newer traefikctl is out; asks the registry
 * at most once a week, from a detached process, so no command waits on the network. Silent and
 * offline in CI, in pipes and with TRAEFIKCTL_SKIP_NEW_VERSION_CHECK=1. Run by the init hook before
 * every command, and by the root help's fast path (src/help/fast-path.ts), which oclif never sees.
 */
export async function updateNotice(options: UpdateNoticeOptions): Promise<void> {
  const { cacheDir } = options;
  const now = Date.now();
  const decision = decideUpdateCheck({
    version: options.version,
    cacheDir,
    env: process.env,
    stderrIsTty: Boolean(process.stderr.isTTY),
    now,
  });
  if (decision.notify !== undefined) {
    process.stderr.write(
      `A new ${options.bin} is available: ${options.version} → ${decision.notify}\n` +
        `  → npm install --global ${options.name}@${decision.notify}  (${SKIP_ENV}=1 hides this)\n`,
    );
    safely(() => touch(join(cacheDir, 'last-warning'), now));
  }
  if (decision.refresh) {
    safely(() => {
      mkdirSync(cacheDir, { recursive: true });
      // Touched first, so that the commands run while the registry answers don't ask it again.
      touch(join(cacheDir, 'version'), now);
    });
    const { spawn } = await import('node:child_process');
    const script = fileURLToPath(options.refreshScript);
    safely(() =>
      spawn(process.execPath, [script, cacheDir, options.name], {
        detached: true,
        stdio: 'ignore',
        windowsHide: true,
      }).unref(),
    );
  }
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // A read-only or missing cache directory costs the notice, never the command.
  }
}
