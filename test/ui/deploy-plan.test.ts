import { stripVTControlCharacters } from 'node:util';

import { describe, expect, it } from 'vitest';

import { dryRunDeploy, type DryRunResult } from '../../src/lib/app/deploy/dry-run.js';
import { UserError } from '../../src/lib/errors.js';
import { formatDryRun } from '../../src/ui/deploy-plan.js';
import { fakeAws, project } from '../lib/app/deploy/fakes.js';

async function offlinePlan(): Promise<DryRunResult> {
  const cwd = await project('domain: example.com\napps:\n  whoami:\n    port: 8080\n    ttl: 7d\n');
  const noCredentials = new UserError("Can't find out who you are in AWS: no AWS credentials were found.", {
    suggestions: ['Run `aws sso login`.'],
  });
  return dryRunDeploy({
    cwd,
    global: {},
    app: 'whoami',
    tag: 'feature/Login_Page',
    aws: fakeAws({ caller: noCredentials }),
    now: () => new Date('2026-03-01T12:00:00.000Z'),
  });
}

describe('formatDryRun', () => {
  it('shows the URL, service, image, labels, tags and inputs, then what was not checked, once', async () => {
    // given an offline plan
    const plan = await offlinePlan();

    // when printed for a pipe
    const text = formatDryRun(plan, { color: false });

    // then a reader finds the summary first
    const lines = text.split('\n');
    expect(lines[0]).toBe('Plan: whoami at "feature/Login_Page" on env dev (dry run: nothing is changed)');
    expect(lines[1]).toBe('  URL      http://whoami-feature-login-page.dev.example.com');
    expect(lines[2]).toBe('  Service  whoami-feature-login-page in cluster traefikctl-dev (not looked up)');
    expect(lines[3]).toContain('(not pinned: the digest is read from ECR when deploying)');
    expect(lines[4]).toBe('  Tasks    1 × Fargate 256 CPU / 512 MiB, X86_64, port 8080');
    expect(lines[5]).toBe('  Expires  2026-03-08T12:00:00.000Z');
    // the labels and tags, decoded
    expect(text).toContain(
      '  traefik.http.routers.whoami-feature-login-page.rule=Host(`whoami-feature-login-page.dev.example.com`)\n',
    );
    expect(text).toContain('  traefikctl:tag=feature/Login_Page\n');
    expect(text).toContain('  traefikctl:deployed-by=<your AWS identity>\n');
    expect(text).not.toContain('base64:');
    // the inputs ECS would get, as JSON
    expect(text).toContain(
      'Task definition (RegisterTaskDefinition input; tags as above)\n  {\n    "family": "whoami-feature-login-page",',
    );
    expect(text).toContain('"hostPort": 8080');
    // and the reason for the placeholders, said once for the four checks
    expect(text).toMatch(
      /Not checked\n {2}- your AWS identity \(traefikctl:deployed-by\); cluster outputs .*; image digest in ECR; the deployed service \(diff\)\n {4}because Can't find out who you are in AWS: no AWS credentials were found\.\n {4}→ Run `aws sso login`\.\n$/,
    );
    expect(text).toBe(stripVTControlCharacters(text));
  });

  it('colours a terminal, and lists changes and problems when AWS answered', async () => {
    const plan: DryRunResult = {
      ...(await offlinePlan()),
      action: 'update',
      skipped: [],
      changes: [
        {
          field: 'container whoami image',
          kind: 'changed',
          before: 'repo@sha256:old',
          after: 'repo@sha256:new',
        },
        { field: 'container whoami env GREETING', kind: 'added', after: 'hi' },
      ],
      problems: [
        {
          code: 'DEPLOYMENT_IN_PROGRESS',
          message: 'Another deployment is in progress.',
          suggestions: ['Wait.'],
        },
      ],
    };

    const text = formatDryRun(plan, { color: true });
    const plain = stripVTControlCharacters(text);

    expect(text).not.toBe(plain);
    expect(plain).toContain('(exists: would be updated)');
    expect(plain).toContain(
      'Changes to whoami-feature-login-page\n  ~ container whoami image: repo@sha256:old → repo@sha256:new\n  + container whoami env GREETING: hi\n',
    );
    expect(plain).toMatch(
      /The deploy would fail\n {2}✗ Another deployment is in progress\.\n {4}→ Wait\.\n$/,
    );
    expect(plain).not.toContain('Not checked');
  });
});
