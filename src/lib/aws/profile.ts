import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';

import { usageError } from '../errors.js';

/**
 * `--profile` (or AWS_PROFILE, or `profile` in the configuration) must name a profile of the shared
 * AWS files. The SDK only says "Could not load credentials from any providers" when it doesn't, which
 * sends people looking at their keys instead of at a typo.
 */

/** The shared config and credentials files, where the SDK reads them. */
export function sharedFiles(env: NodeJS.ProcessEnv = process.env): { config: string; credentials: string } {
  const home = homedir();
  return {
    config: env.AWS_CONFIG_FILE ?? path.join(home, '.aws', 'config'),
    credentials: env.AWS_SHARED_CREDENTIALS_FILE ?? path.join(home, '.aws', 'credentials'),
  };
}

/** Section names that are not profiles (`[sso-session x]`, `[services x]`). */
const OTHER_SECTIONS = /^(sso-session|services)\s/;

/** The profile names of one file: `[profile x]` and `[default]` (config), `[x]` (credentials). */
function profilesIn(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const names: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line)?.[1];
    if (section === undefined || OTHER_SECTIONS.test(section)) continue;
    names.push(section.replace(/^profile\s+/, ''));
  }
  return names;
}

export function profileNames(env: NodeJS.ProcessEnv = process.env): string[] {
  const files = sharedFiles(env);
  return [...new Set([...profilesIn(files.config), ...profilesIn(files.credentials)])].sort();
}

/** A usage error (exit 2) naming a profile that neither shared file has, with the ones they have. */
export function checkProfile(profile: string, env: NodeJS.ProcessEnv = process.env): void {
  const names = profileNames(env);
  if (names.includes(profile)) return;
  const files = sharedFiles(env);
  const shown =
    names.length > 10 ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more` : names.join(', ');
  throw usageError(
    `The AWS profile ${JSON.stringify(profile)} doesn't exist: neither ${files.config} nor ${files.credentials} has it.`,
    names.length === 0
      ? [
          `No AWS profiles are set up here: create it with \`aws configure --profile ${profile}\` (or \`aws configure sso --profile ${profile}\`),`,
          'or leave --profile and AWS_PROFILE unset to use the credentials of the environment.',
        ]
      : [
          `Pick one of yours with --profile (or AWS_PROFILE): ${shown}.`,
          `Or create it: \`aws configure --profile ${profile}\` (or \`aws configure sso --profile ${profile}\`).`,
        ],
    'AWS_PROFILE_UNKNOWN',
  );
}
