/**
 * The bare fetch loop as its own process, the end-to-end counterpart of `traefikctl routes --json`:
 *   node --import bench/support/register.ts bench/support/fetch-loop.ts <urls-file>
 */
import { readFileSync } from 'node:fs';

import { fetchAll } from './bare-fetch.js';

const [file] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: fetch-loop.ts <urls-file>');
const urls = readFileSync(file, 'utf8').split('\n').filter(Boolean);
process.stdout.write(`${await fetchAll(urls)}\n`);
