#!/usr/bin/env node
import { enableCompileCache } from 'node:module';

// Node caches compiled bytecode between runs: a measurable part of start-up for a CLI.
enableCompileCache?.();

const { execute } = await import('@oclif/core');
await execute({ dir: import.meta.url });
