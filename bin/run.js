#!/usr/bin/env node
import * as nodeModule from 'node:module';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(
    `Error: traefikctl needs Node.js 22 or newer; this is Node.js ${process.version}.\n` +
      '  → Install Node.js 24 LTS (e.g. `nvm install 24`), then run traefikctl again.\n',
  );
  process.exit(1);
}

// Node caches compiled bytecode between runs: a measurable part of start-up for a CLI.
nodeModule.enableCompileCache?.();

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
