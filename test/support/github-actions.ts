/**
 * A GitHub Actions step's surroundings for tests: the files the runner would create (GITHUB_OUTPUT,
 * GITHUB_STEP_SUMMARY), a `pull_request` event file, and readers for what the toolkit wrote to them
 * and for the workflow commands (annotations, groups) in a log.
 */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface ActionsStep {
  dir: string;
  outputFile: string;
  summaryFile: string;
  eventFile: string;
  /** The variables the runner sets for the step (plus the API's address). */
  env: NodeJS.ProcessEnv;
}

export const HEAD_SHA = '0123456789abcdef0123456789abcdef01234567';

export async function actionsStep(options: {
  apiUrl: string;
  pullRequest?: number;
  token?: string;
  repository?: string;
}): Promise<ActionsStep> {
  const dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-actions-'));
  const outputFile = path.join(dir, 'output');
  const summaryFile = path.join(dir, 'summary.md');
  const eventFile = path.join(dir, 'event.json');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  const number = options.pullRequest;
  await writeFile(
    eventFile,
    JSON.stringify(
      number === undefined
        ? {}
        : {
            action: 'synchronize',
            number,
            pull_request: { number, state: 'open', head: { sha: HEAD_SHA, ref: `feature-${number}` } },
          },
    ),
  );
  return {
    dir,
    outputFile,
    summaryFile,
    eventFile,
    env: {
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_PATH: eventFile,
      GITHUB_EVENT_NAME: number === undefined ? 'push' : 'pull_request',
      GITHUB_REPOSITORY: options.repository ?? 'acme/shop',
      GITHUB_SERVER_URL: 'https://github.invalid',
      GITHUB_API_URL: options.apiUrl,
      GITHUB_RUN_ID: '4242',
      GITHUB_SHA: 'fedcba9876543210fedcba9876543210fedcba98',
      ...(options.token === undefined ? {} : { GITHUB_TOKEN: options.token }),
    },
  };
}

/** The step outputs as the runner reads GITHUB_OUTPUT: `name<<delimiter`, value lines, delimiter. */
export async function readOutputs(file: string): Promise<Record<string, string>> {
  const text = await readFile(file, 'utf8');
  const outputs: Record<string, string> = {};
  const pattern = /^([^\n<]+)<<(ghadelimiter_[0-9a-f-]+)\n([\s\S]*?)\n\2$/gm;
  for (const match of text.matchAll(pattern)) outputs[match[1] ?? ''] = match[3] ?? '';
  return outputs;
}

/** The workflow commands of a log: `::warning title=…::text`, `::group::…`. */
export function workflowCommands(log: string, command: string): string[] {
  return log
    .split('\n')
    .filter((line) => line.startsWith(`::${command}`))
    .map((line) => line.replace(/^::[^:]*::/, ''));
}
