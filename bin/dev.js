#!/usr/bin/env node
// Development entry: runs the compiled dist/ without a manifest, so new commands show up at once.
// Run `npm run build` (or `npx tsc -p tsconfig.build.json --watch`) beside it.
import { execute } from '@oclif/core';

await execute({ development: true, dir: import.meta.url });
