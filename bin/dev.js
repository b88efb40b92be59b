#!/usr/bin/env node
// Development entry: runs the compiled dist/ ignoring oclif.manifest.json, so new commands and flags show up at once.
// Run `npm run build` (or `npx rolldown -c --watch`) beside it.
import { execute } from '../dist/cli.js';

await execute({ development: true, dir: import.meta.url, loadOptions: { ignoreManifest: true } });
