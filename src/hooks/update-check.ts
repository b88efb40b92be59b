import type { Hook } from '@oclif/core';

import { updateNotice } from '../ui/update-notice.js';

/**
 * Tells a person at a terminal, at most once a day, that a newer traefikctl is out (src/ui/update-notice.ts).
 *
 * This replaces @oclif/plugin-warn-if-update-available (STYLE.md §15) with the same behaviour and
 * cache files: the plugin read npm's whole configuration on every command, `--help` included, which
 * cost a fifth of the start-up budget (bench/RESULTS.md). Here the common path is two stat calls.
 */
const hook: Hook.Init = async function (options) {
  const { config } = options;
  await updateNotice({
    name: config.name,
    version: config.version,
    bin: config.bin,
    cacheDir: config.cacheDir,
    refreshScript: new URL('update-check-refresh.js', import.meta.url),
  });
};

export default hook;
