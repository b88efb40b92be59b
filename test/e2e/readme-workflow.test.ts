/**
 * The README's workflow as a new user runs it against the test stack, with no hand seeding:
 * `cluster up` -> `image push` -> `app deploy --no-wait` -> `app urls` -> `app destroy`.
 * The image goes through the ECR bridge (so moto's ECR learns of it the way ECR does), and the
 * digest `image push` prints is the one the task definition pins. `app urls` reads route status from
 * a real Traefik whose API is protected with the hash `cluster up` put in the stack, using the
 * password `cluster up` stored in SSM: the cluster's credentials work end to end.
 */
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeImagesCommand } from '@aws-sdk/client-ecr';
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from '@aws-sdk/client-ecs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli } from '../support/cli.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { startTraefik, type RunningTraefik } from '../support/traefik-process.js';

describeWith(
  ['docker', 'registry', 'moto', 'traefik'],
  'the README workflow against the test stack',
  (stack) => {
    const clients = new AwsClients({ maxAttempts: 1 });
    const env = uniqueName('readme');
    const repository = uniqueName('whoami');
    let cwd: string;
    let traefik: RunningTraefik | undefined;

    /** A project as a user writes it: the app, its Dockerfile, the stack's registry and region. */
    async function writeProject(apiUrl: string): Promise<void> {
      await writeFile(
        path.join(cwd, 'traefikctl.config.yaml'),
        [
          'region: us-east-1',
          'domain: example.com',
          `environment: ${env}`,
          `registry: ${stack.registry}`,
          'traefik:',
          `  apiUrl: ${apiUrl}`,
          'apps:',
          '  whoami:',
          `    repository: ${repository}`,
          '    port: 80',
          '',
        ].join('\n'),
      );
    }

    beforeAll(async () => {
      cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-readme-'));
      await copyFile(stack.busybox ?? '/bin/busybox', path.join(cwd, 'busybox'));
      await writeFile(path.join(cwd, 'index.html'), '<h1>whoami v1</h1>\n');
      await writeFile(
        path.join(cwd, 'Dockerfile'),
        'FROM scratch\nCOPY busybox /bin/busybox\nCOPY index.html /www/index.html\nEXPOSE 80\nCMD ["/bin/busybox", "httpd", "-f", "-p", "80", "-h", "/www"]\n',
      );
      // Until Traefik runs, the API URL is a closed loopback port: nothing may look up a real host.
      await writeProject('http://127.0.0.1:9');
    });

    afterAll(async () => {
      await traefik?.stop();
      await runCli(['cluster', 'down', '--yes', '--force'], { cwd }).catch(() => undefined);
      await clients.destroy();
      await rm(cwd, { recursive: true, force: true });
    });

    /** Traefik with the API router of `cluster up` (api@internal behind basic auth) and the stack's hash. */
    async function startTraefikWithStackCredentials(): Promise<RunningTraefik> {
      const cloudformation = await clients.cloudformation();
      const { Stacks } = await cloudformation.send(
        new DescribeStacksCommand({ StackName: `traefikctl-${env}` }),
      );
      const parameter = (key: string) =>
        Stacks?.[0]?.Parameters?.find((item) => item.ParameterKey === key)?.ParameterValue ?? '';
      const users = `${parameter('ApiUsername')}:${parameter('ApiPasswordHash')}`;
      expect(users).toMatch(/^admin:\$2b\$08\$/);
      const dynamic = path.join(cwd, 'traefik-dynamic.yaml');
      // The file provider takes the router that cluster up puts in dockerLabels; the rule matches
      // by path because the URL here is 127.0.0.1, not traefik.<env>.<domain>. JSON is YAML, and
      // the file provider reads only .yaml, .yml and .toml files.
      await writeFile(
        dynamic,
        JSON.stringify({
          http: {
            routers: {
              'traefikctl-api': {
                rule: 'PathPrefix(`/api`)',
                entryPoints: ['web'],
                service: 'api@internal',
                middlewares: ['traefikctl-api-auth'],
              },
            },
            middlewares: { 'traefikctl-api-auth': { basicAuth: { users: [users], removeHeader: true } } },
          },
        }),
      );
      const running = await startTraefik(stack, {
        entryPoints: ['web', 'traefik'],
        args: ['--ping=true', '--api=true', `--providers.file.filename=${dynamic}`],
      });
      // /ping answers before the file provider's routers apply: wait until the API router asks for
      // credentials (bounded: 50 tries over about 5 s).
      for (let attempt = 0; attempt < 50; attempt++) {
        const answer = await fetch(`${running.url('web')}/api/version`, {
          signal: AbortSignal.timeout(1_000),
        });
        if (answer.status === 401) return running;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      await running.stop();
      throw new Error(`Traefik's API router never asked for credentials:\n${running.output()}`);
    }

    it('cluster up, image push, app deploy --no-wait, app urls and app destroy, with no seeding', async () => {
      // when the cluster is brought up
      const up = await runCli(['cluster', 'up', '--yes'], { cwd });
      expect(up.exitCode, up.stderr).toBe(0);

      // and the image is built and pushed: stdout is the digest-pinned reference
      const push = await runCli(['image', 'push', 'whoami', '--tag', 'v1'], { cwd });
      expect(push.exitCode, push.stderr).toBe(0);
      const pushed = push.stdout.trim();
      expect(pushed).toMatch(new RegExp(`^${stack.registry}/${repository}@sha256:[0-9a-f]{64}$`));
      const digest = pushed.split('@')[1];

      // then ECR knows the image under that digest, as on AWS
      const ecr = await clients.ecr();
      const { imageDetails } = await ecr.send(
        new DescribeImagesCommand({ repositoryName: repository, imageIds: [{ imageTag: 'v1' }] }),
      );
      expect(imageDetails?.[0]?.imageDigest).toBe(digest);

      // when the tag is deployed without waiting
      const deploy = await runCli(['app', 'deploy', 'whoami', '--tag', 'v1', '--no-wait'], { cwd });

      // then it prints the URL, and the task definition runs exactly the pushed digest
      expect(deploy.exitCode, deploy.stderr).toBe(0);
      expect(deploy.stdout).toBe(`http://whoami-v1.${env}.example.com\n`);
      expect(deploy.stderr).not.toContain('ECR has no image');
      const ecs = await clients.ecs();
      const { services } = await ecs.send(
        new DescribeServicesCommand({ cluster: `traefikctl-${env}`, services: ['whoami-v1'] }),
      );
      const { taskDefinition } = await ecs.send(
        new DescribeTaskDefinitionCommand({ taskDefinition: services?.[0]?.taskDefinition ?? 'none' }),
      );
      expect(taskDefinition?.containerDefinitions?.[0]?.image).toBe(pushed);

      // when app urls reads the env, with a real Traefik behind the stack's API credentials
      traefik = await startTraefikWithStackCredentials();
      await writeProject(traefik.url('web'));
      const urls = await runCli(['app', 'urls', '--json'], { cwd });

      // then the deployment is listed with the pushed image, and Traefik's API answered
      expect(urls.exitCode, urls.stderr).toBe(0);
      const listed = JSON.parse(urls.stdout) as {
        traefik: { status: string; message?: string };
        deployments: { tag: string; url: string; image: string }[];
      };
      expect(listed.traefik.status, listed.traefik.message).toBe('ok');
      expect(listed.deployments).toEqual([
        expect.objectContaining({ tag: 'v1', url: `http://whoami-v1.${env}.example.com`, image: pushed }),
      ]);

      // when the tag is destroyed
      const destroy = await runCli(['app', 'destroy', 'whoami', '--tag', 'v1', '--yes'], { cwd });

      // then nothing is listed any more
      expect(destroy.exitCode, destroy.stderr).toBe(0);
      const after = await runCli(['app', 'urls', '--json'], { cwd });
      expect(after.exitCode, after.stderr).toBe(0);
      expect((JSON.parse(after.stdout) as { deployments: unknown[] }).deployments).toEqual([]);
    });
  },
);
