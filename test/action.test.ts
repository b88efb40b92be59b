/** action.yml exposes exactly the step outputs that `app deploy` sets in GitHub Actions. */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

import { REPO_ROOT } from './support/cli.js';

interface Action {
  inputs: Record<string, { default?: string; required?: boolean }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: { id?: string; run?: string; env?: Record<string, string> }[] };
}

describe('action.yml', () => {
  it('is a composite action whose outputs are the CLI step outputs, with inputs reaching the script only through env', async () => {
    const action = parse(await readFile(path.join(REPO_ROOT, 'action.yml'), 'utf8')) as Action;
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.outputs).sort()).toEqual([
      'deployment-id',
      'host',
      'image',
      'service',
      'status',
      'url',
    ]);
    for (const [name, output] of Object.entries(action.outputs))
      expect(output.value).toBe(`\${{ steps.run.outputs.${name} }}`);
    const run = action.runs.steps.find((step) => step.id === 'run');
    expect(run?.env).toMatchObject({
      TRAEFIKCTL_COMMAND: '${{ inputs.command }}',
      GITHUB_TOKEN: '${{ inputs.github-token }}',
    });
    // no `${{ … }}` spliced into a shell script (script injection)
    for (const step of action.runs.steps) expect(step.run ?? '').not.toContain('${{');
  });
});
