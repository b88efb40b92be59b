import { stripVTControlCharacters } from 'node:util';

import { describe, expect, it } from 'vitest';

import { dryRunDeploy, type DryRunResult } from '../../src/lib/app/deploy/dry-run.js';
import { UserError } from '../../src/lib/errors.js';
import type { LocalDryRunResult } from '../../src/lib/local/dry-run.js';
import { formatDryRun, formatLocalDryRun } from '../../src/ui/deploy-plan.js';
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
    // offline, prices aren't asked for: the cost says so, not that the Price List failed
    expect(text).toContain('  Cost        unknown (not looked up offline)\n');
    expect(text).not.toContain('base64:');
    // the inputs ECS would get, as JSON
    expect(text).toContain(
      'Task definition (RegisterTaskDefinition input; tags as above)\n  {\n    "family": "whoami-feature-login-page",',
    );
    expect(text).toContain('"hostPort": 8080');
    // and the reason for the placeholders, said once for the five checks
    expect(text).toMatch(
      /Not checked\n {2}- your AWS identity \(traefikctl:deployed-by\); cluster outputs .*; image digest in ECR; the deployed service \(diff\); that Traefik's API answers \(the route check\)\n {4}because Can't find out who you are in AWS: no AWS credentials were found\.\n {4}→ Run `aws sso login`\.\n$/,
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

describe('formatLocalDryRun', () => {
  const base: LocalDryRunResult = {
    dryRun: true,
    target: 'docker',
    app: 'whoami',
    env: 'local',
    tag: 'v1',
    tagSlug: 'v1',
    dockerTag: 'v1',
    host: 'whoami-v1.local.localhost',
    url: 'http://whoami-v1.local.localhost:8080',
    serviceName: 'whoami-v1',
    network: 'traefikctl-local',
    container: 'whoami-v1-<6 random hex>',
    replaces: [],
    memory: 512,
    port: 80,
    image: { reference: 'whoami:v1' },
    traefik: { container: 'traefikctl-local-traefik', running: false },
    deployedAt: '2026-03-01T12:00:00.000Z',
    deployedBy: 'dev@laptop',
    labels: { 'traefik.enable': 'true', 'traefikctl.env': 'local' },
    stateLabels: { 'traefikctl.managed': 'true', 'traefikctl.spec': 'abcd' },
    environment: { APP_TAG: 'v1' },
    secrets: { passed: [], missing: [] },
    action: 'create',
    changes: [],
    skipped: [
      {
        check: 'traefik',
        what: 'the local Traefik that routes the deployment',
        reason: "traefikctl-local-traefik doesn't exist",
        fix: 'Start it with `traefikctl cluster up --env local` (Docker must be running).',
      },
    ],
    problems: [
      {
        code: 'IMAGE_NOT_FOUND',
        message: 'The local engine has no image whoami:v1, so there is nothing to deploy at tag v1.',
        suggestions: ['Build it first: `traefikctl image push whoami --tag v1 --env local`.'],
      },
    ],
    warnings: [],
  };

  it('shows the container, image, network and URL first, then labels, environment, checks and problems', () => {
    // when a plan for a new tag whose image is missing is printed for a pipe
    const text = formatLocalDryRun(base, { color: false });

    // then the summary comes first, in the ECS plan's layout
    const lines = text.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      'Plan: whoami at "v1" on env local (local Docker) (dry run: nothing is changed)',
      '  URL        http://whoami-v1.local.localhost:8080',
      '  Container  whoami-v1-<6 random hex> on network traefikctl-local (new: would be created)',
      '  Image      whoami:v1 (missing from the local engine)',
      '  Runs       512 MiB memory limit, port 80',
      '  Traefik    traefikctl-local-traefik (not running), routes whoami-v1@docker',
    ]);
    expect(text).toContain('\nTraefik labels\n  traefik.enable=true\n  traefikctl.env=local\n');
    expect(text).toContain('\nState labels\n  traefikctl.managed=true\n  traefikctl.spec=abcd\n');
    expect(text).toContain('\nEnvironment\n  APP_TAG=v1\n');
    expect(text).not.toContain('Secrets');
    expect(text).not.toContain('Changes to');
    // and what to run comes last
    expect(text).toMatch(
      /Not checked\n {2}- the local Traefik that routes the deployment\n {4}because traefikctl-local-traefik doesn't exist\n {4}→ Start it with `traefikctl cluster up --env local` \(Docker must be running\)\.\n\nThe deploy would fail\n {2}✗ The local engine has no image whoami:v1, so there is nothing to deploy at tag v1\.\n {4}→ Build it first: `traefikctl image push whoami --tag v1 --env local`\.\n$/,
    );
  });

  it('lists the secrets by name, saying which are set here and which the container would lack', () => {
    const text = formatLocalDryRun(
      { ...base, secrets: { passed: ['API_KEY'], missing: ['DATABASE_URL'] } },
      { color: false },
    );

    expect(text).toContain(
      '\nSecrets\n  API_KEY (its value from the variable set here)\n  DATABASE_URL not set here: the container starts without it\n',
    );
  });

  it('lists the changes of an update and what it replaces', () => {
    const text = formatLocalDryRun(
      {
        ...base,
        action: 'update',
        image: { reference: 'whoami:v1', id: `sha256:${'a'.repeat(64)}` },
        traefik: { container: 'traefikctl-local-traefik', running: true },
        replaces: ['whoami-v1-0a1b2c'],
        changes: [{ field: 'env GREETING', kind: 'changed', before: 'hello', after: 'bye' }],
        skipped: [],
        problems: [],
      },
      { color: false },
    );

    expect(text).toContain('(would replace the running one)');
    expect(text).toContain(`  Image      whoami:v1 (sha256:${'a'.repeat(64)} in the local engine)\n`);
    expect(text).toContain('  Replaces   whoami-v1-0a1b2c (removed once the new one is routed)\n');
    expect(text).toContain('\nChanges to whoami-v1\n  ~ env GREETING: hello → bye\n');
    expect(text).not.toContain('Not checked');
  });
});
