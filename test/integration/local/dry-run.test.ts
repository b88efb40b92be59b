/**
 * `app deploy --dry-run` and `routes show` on a `docker` env, on the real engine and the stack's real
 * Traefik image: the dry run shows what `deployLocal` would run (the very labels the container then
 * carries) and what it would do to the running container, creates nothing, and still plans with no
 * Docker at all; `routes show` reads the local Traefik joined with the containers' labels, as `routes`
 * does. Requests go only to 127.0.0.1 and to the network this test creates.
 */
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';

import type { LocalEnvironment } from '../../../src/lib/env/local.js';
import { traefikLabels } from '../../../src/lib/labels.js';
import { localClusterUp } from '../../../src/lib/local/cluster.js';
import { deployLocal } from '../../../src/lib/local/deploy.js';
import { dryRunLocalDeploy, type LocalDryRunResult } from '../../../src/lib/local/dry-run.js';
import { inspectContainer } from '../../../src/lib/local/engine.js';
import { buildLocalImage } from '../../../src/lib/local/image.js';
import { runCli, type CliResult } from '../../support/cli.js';
import { describeWith } from '../../support/stack.js';
import { localProject, type LocalProject } from './support.js';

describeWith(['docker', 'traefik'], 'app deploy --dry-run and routes show on a docker env', (stack) => {
  let project: LocalProject;
  let local: LocalEnvironment;
  let originalConfig: string;
  const savedConfigHome = process.env.XDG_CONFIG_HOME;
  const configFile = () => path.join(project.dir, 'traefikctl.config.yaml');
  const cli = (args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> =>
    runCli([...args, '--env', project.env], {
      cwd: project.dir,
      env: { XDG_CONFIG_HOME: project.configHome, DOCKER_HOST: stack.dockerHost, ...env },
      timeoutMs: 60_000,
    });
  const dryRun = (tag: string) =>
    dryRunLocalDeploy({ cwd: project.dir, global: { env: project.env }, app: 'whoami', tag });
  /** The whoami app's config block with other lines in place of its `port: 80`. */
  const setWhoami = async (lines: string) => {
    const marker = `    repository: ${project.repositories.whoami}\n    port: 80\n`;
    expect(originalConfig).toContain(marker);
    await writeFile(
      configFile(),
      originalConfig.replace(marker, `    repository: ${project.repositories.whoami}\n${lines}`),
    );
  };
  const docker = (args: readonly string[]) =>
    execa('docker', [...args], { env: { DOCKER_HOST: stack.dockerHost }, reject: false });
  const host = (tag: string) => `whoami-${tag}.${project.env}.localhost`;
  /** The full id of the running container of a whoami tag in this env. */
  const runningContainerOf = async (tag: string) =>
    (
      await docker([
        'ps',
        '-q',
        '--no-trunc',
        '--filter',
        `label=traefikctl.env=${project.env}`,
        '--filter',
        `label=traefikctl.tag=${tag}`,
      ])
    ).stdout.trim();

  beforeAll(async () => {
    project = await localProject(stack, 'ldr');
    // The API password file goes under this test's own config directory.
    process.env.XDG_CONFIG_HOME = project.configHome;
    local = await project.local();
    originalConfig = await readFile(configFile(), 'utf8');
  });

  afterAll(async () => {
    if (savedConfigHome === undefined) delete process.env.XDG_CONFIG_HOME;
    else process.env.XDG_CONFIG_HOME = savedConfigHome;
    await project?.cleanUp();
  }, 60_000);

  it('plans a tag with no local Traefik and no image: exit 1 saying what to run, and creates nothing', async () => {
    // when the dry run of a tag that was never built runs on an env that was never brought up
    const json = await cli(['app', 'deploy', 'whoami', '--tag', 'v1', '--dry-run', '--json']);
    const text = await cli(['app', 'deploy', 'whoami', '--tag', 'v1', '--dry-run']);

    // then it exits 1 with the whole plan of the docker target
    expect(json.exitCode, json.stderr).toBe(1);
    const plan = JSON.parse(json.stdout) as LocalDryRunResult;
    expect(plan).toMatchObject({
      dryRun: true,
      target: 'docker',
      app: 'whoami',
      env: project.env,
      tag: 'v1',
      host: host('v1'),
      url: `http://${host('v1')}:${project.port}`,
      serviceName: 'whoami-v1',
      network: project.network,
      container: 'whoami-v1-<6 random hex>',
      image: { reference: `${project.repositories.whoami}:v1` },
      traefik: { container: `${project.network}-traefik`, running: false },
      action: 'create',
      changes: [],
      environment: { APP_TAG: 'v1', APP_URL: `http://${host('v1')}:${project.port}` },
    });
    expect(plan.image.id).toBeUndefined();
    expect(plan.labels).toEqual(
      traefikLabels({
        name: 'whoami-v1',
        host: host('v1'),
        port: 80,
        entryPoints: ['web'],
        env: project.env,
        healthCheck: { path: '/health', interval: '1s', timeout: '1s' },
      }),
    );
    // and the problem says which image is missing and how to build it; the skipped check how to start Traefik
    expect(plan.problems).toEqual([
      expect.objectContaining({
        code: 'IMAGE_NOT_FOUND',
        suggestions: expect.arrayContaining([
          `Build it first: \`traefikctl image push whoami --tag v1 --env ${project.env}\`.`,
        ]) as unknown,
      }),
    ]);
    expect(plan.skipped).toEqual([
      expect.objectContaining({
        check: 'traefik',
        fix: expect.stringContaining(`traefikctl cluster up --env ${project.env}`) as unknown,
      }),
    ]);
    // and the text says the same, in the ECS plan's layout
    expect(text.exitCode, text.stderr).toBe(1);
    expect(text.stdout).toContain(
      `Plan: whoami at "v1" on env ${project.env} (local Docker) (dry run: nothing is changed)`,
    );
    expect(text.stdout).toContain(
      `  Image      ${project.repositories.whoami}:v1 (missing from the local engine)`,
    );
    expect(text.stdout).toContain(
      `The deploy would fail\n  ✗ The local engine has no image ${project.repositories.whoami}:v1`,
    );
    expect(text.stdout).toContain(`→ Start it with \`traefikctl cluster up --env ${project.env}\``);
    expect(text.stdout).not.toContain('Fargate');

    // and nothing was created: no container, no network, no image
    const containers = await docker(['ps', '-aq', '--filter', `label=traefikctl.env=${project.env}`]);
    expect(containers.stdout).toBe('');
    expect((await docker(['network', 'inspect', project.network])).exitCode).toBe(1);
    const images = await docker(['images', '-q', '--filter', `reference=${project.env}-*`]);
    expect(images.stdout).toBe('');
  });

  it('still plans with no Docker at all, listing what it could not check and why', async () => {
    // when the engine's socket doesn't exist
    const offline = await cli(['app', 'deploy', 'whoami', '--tag', 'v1', '--dry-run', '--json'], {
      DOCKER_HOST: `unix://${path.join(project.dir, 'no-docker.sock')}`,
    });

    // then the plan is there, unchecked: exit 0 as the ECS dry run without AWS
    expect(offline.exitCode, offline.stderr).toBe(0);
    const plan = JSON.parse(offline.stdout) as LocalDryRunResult;
    expect(plan).toMatchObject({ dryRun: true, target: 'docker', action: 'unknown', problems: [] });
    expect(plan.traefik.running).toBeUndefined();
    expect(plan.skipped.map((item) => item.check)).toEqual(['engine', 'traefik', 'image', 'deployment']);
    expect(plan.skipped[0]?.reason).toContain("Can't reach the Docker daemon");
    expect(plan.skipped[0]?.fix).toContain('docker');
  });

  it('after a deploy of v1: the same tag is unchanged, a changed variable or port an update, a new tag a create', async () => {
    // given Traefik is up and v1 runs
    await localClusterUp({ local });
    const appConfig = local.context.apps.whoami;
    if (appConfig === undefined) throw new Error('no app whoami');
    await buildLocalImage({
      app: 'whoami',
      appConfig,
      configDir: local.context.configDir,
      tags: ['v1', 'v2'],
    });
    const deployed = await deployLocal({
      cwd: project.dir,
      global: { env: project.env },
      app: 'whoami',
      tag: 'v1',
      timeoutMs: 90_000,
    });
    expect(deployed.status).toBe('live');
    const running = await runningContainerOf('v1');
    const container = await inspectContainer(running);
    if (container === undefined) throw new Error('the deployed container is gone');
    const name = container.Name.replace(/^\//, '');

    // when the same tag is planned again
    const same = await dryRun('v1');

    // then nothing changes, the running container stays, and the labels are the ones it carries
    expect(same).toMatchObject({
      action: 'unchanged',
      changes: [],
      container: name,
      replaces: [],
      image: { id: container.Image },
      traefik: { running: true },
      skipped: [],
      problems: [],
    });
    const carried = container.Config.Labels ?? {};
    for (const [key, value] of Object.entries(same.labels)) expect(carried[key], key).toBe(value);
    expect(carried['traefikctl.spec']).toBe(same.stateLabels['traefikctl.spec']);

    // when a variable is added to the app's config
    await setWhoami('    port: 80\n    environment:\n      GREETING: hi\n');
    const withVariable = await dryRun('v1');

    // then it is an update replacing the running container, the variable its change to run
    expect(withVariable).toMatchObject({ action: 'update', replaces: [name], problems: [] });
    expect(withVariable.container).toMatch(/^whoami-v1-</);
    expect(withVariable.changes).toContainEqual({ field: 'env GREETING', kind: 'added', after: 'hi' });
    expect(withVariable.changes.filter((change) => !change.field.startsWith('label traefikctl.'))).toEqual([
      { field: 'env GREETING', kind: 'added', after: 'hi' },
    ]);

    // when the memory limit changes and a stop timeout is set
    await setWhoami('    port: 80\n    memory: 1024\n    stopTimeout: 20s\n');
    const withSettings = await dryRun('v1');

    // then both are changes to run, compared with what the running container was started with
    expect(withSettings).toMatchObject({ action: 'update', memory: 1024, stopTimeout: 20 });
    expect(withSettings.changes.filter((change) => !change.field.startsWith('label traefikctl.'))).toEqual([
      { field: 'memory', kind: 'changed', before: '512 MiB', after: '1024 MiB' },
      { field: 'stop timeout', kind: 'added', after: '20s' },
    ]);

    // when the port changes, through the built CLI
    await setWhoami('    port: 8080\n');
    const withPort = await cli(['app', 'deploy', 'whoami', '--tag', 'v1', '--dry-run', '--json']);

    // then the service port label is the change
    expect(withPort.exitCode, withPort.stderr).toBe(0);
    const portPlan = JSON.parse(withPort.stdout) as LocalDryRunResult;
    expect(portPlan).toMatchObject({ target: 'docker', action: 'update', port: 8080 });
    expect(portPlan.changes).toContainEqual({
      field: 'label traefik.http.services.whoami-v1.loadbalancer.server.port',
      kind: 'changed',
      before: '80',
      after: '8080',
    });

    // when a tag that doesn't run yet is planned (its image is built)
    await writeFile(configFile(), originalConfig);
    const fresh = await dryRun('v2');

    // then it is a create, with nothing to replace
    expect(fresh).toMatchObject({ action: 'create', changes: [], replaces: [], problems: [] });
    expect(fresh.image.id).toMatch(/^sha256:/);

    // and none of the dry runs started or stopped a container
    const after = await docker([
      'ps',
      '-aq',
      '--no-trunc',
      '--filter',
      `label=traefikctl.env=${project.env}`,
      '--filter',
      'label=traefikctl.app=whoami',
    ]);
    expect(after.stdout.trim()).toBe(running);
    expect((await inspectContainer(running))?.State.Running).toBe(true);
  }, 240_000);

  it('passes a secret from the deploying environment by name: no plan or output shows its value', async () => {
    // given Traefik is up, a build of v3, and an app with a secret
    await localClusterUp({ local });
    const appConfig = local.context.apps.whoami;
    if (appConfig === undefined) throw new Error('no app whoami');
    await buildLocalImage({ app: 'whoami', appConfig, configDir: local.context.configDir, tags: ['v3'] });
    // (and a stop timeout, which `docker run --stop-timeout` gets)
    await setWhoami(
      '    port: 80\n    stopTimeout: 15s\n    secrets:\n      API_KEY: /traefikctl/{env}/apps/whoami/api-key\n',
    );
    const value = `tk-${randomUUID()}`;
    const rotated = `tk-${randomUUID()}`;
    const args = ['app', 'deploy', 'whoami', '--tag', 'v3'];
    try {
      // when it is planned without the variable set
      const unset = await cli([...args, '--dry-run', '--json']);

      // then the plan says the container would start without it
      expect(unset.exitCode, unset.stderr).toBe(0);
      const plan = JSON.parse(unset.stdout) as LocalDryRunResult;
      expect(plan.secrets).toEqual({ passed: [], missing: ['API_KEY'] });
      expect(plan.warnings).toContain(
        'The secret API_KEY of whoami is not set here: the container starts without it.',
      );

      // when it is deployed with the variable set
      const deployed = await cli([...args, '--json'], { API_KEY: value });

      // then the container has the value, its labels name the secret only, and no output holds it
      expect(deployed.exitCode, deployed.stderr).toBe(0);
      expect(`${deployed.stdout}${deployed.stderr}`).not.toContain(value);
      const container = await inspectContainer(await runningContainerOf('v3'));
      expect(container?.Config.Env).toContain(`API_KEY=${value}`);
      expect(container?.Config.Labels?.['traefikctl.secrets']).toBe('API_KEY');
      expect(container?.Config.StopTimeout).toBe(15);
      expect(JSON.stringify(container?.Config.Labels)).not.toContain(value);

      // when a new value is planned, as JSON and as text
      const json = await cli([...args, '--dry-run', '--json'], { API_KEY: rotated });
      const text = await cli([...args, '--dry-run'], { API_KEY: rotated });

      // then it is an update that says the secret changes, and shows neither value
      expect(json.exitCode, json.stderr).toBe(0);
      const update = JSON.parse(json.stdout) as LocalDryRunResult;
      expect(update).toMatchObject({ action: 'update', secrets: { passed: ['API_KEY'], missing: [] } });
      expect(update.changes).toContainEqual({
        field: 'env API_KEY',
        kind: 'changed',
        before: '(secret)',
        after: '(secret, new value)',
      });
      expect(text.exitCode, text.stderr).toBe(0);
      expect(text.stdout).toContain('API_KEY (its value from the variable set here)');
      for (const output of [json.stdout, json.stderr, text.stdout, text.stderr]) {
        expect(output).not.toContain(value);
        expect(output).not.toContain(rotated);
      }
    } finally {
      await writeFile(configFile(), originalConfig);
    }
  }, 240_000);

  it('routes show finds the router of a deployment and its server; an unknown router exits as on ECS', async () => {
    // given v1 runs (previous test)
    const shown = await cli(['routes', 'show', 'whoami-v1', '--json']);

    // then the router is Traefik's docker one, joined with the deployment, its one server UP
    expect(shown.exitCode, shown.stderr).toBe(0);
    const route = JSON.parse(shown.stdout) as {
      name: string;
      provider: string;
      hosts: string[];
      deployment?: { app: string; tag: string };
      servers: { address: string; status: string }[];
    };
    expect(route).toMatchObject({
      name: 'whoami-v1@docker',
      provider: 'docker',
      hosts: [host('v1')],
      deployment: { app: 'whoami', tag: 'v1' },
    });
    expect(route.servers).toEqual([expect.objectContaining({ status: 'UP' })]);
    expect(route.servers[0]?.address).toMatch(/^http:\/\/[0-9.]+:80$/);
    const text = await cli(['routes', 'show', host('v1')]);
    expect(text.exitCode, text.stderr).toBe(0);
    expect(text.stdout).toContain('whoami-v1@docker');

    // when the router doesn't exist
    const unknown = await cli(['routes', 'show', 'nope-v9']);

    // then it fails as the ECS path does: exit 1, naming the router and how to list them
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain('Traefik has no router "nope-v9".');
    expect(unknown.stderr).toContain('traefikctl routes');
    expect(unknown.stdout).toBe('');
  }, 120_000);
});
