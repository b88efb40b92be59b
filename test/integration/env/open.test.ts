/**
 * The one environment opener and the one resolver of Traefik's API, against moto and the stack's real
 * Traefik: a project that says nothing about Traefik (as `init` writes it) reaches the API through the
 * `traefikctl-<env>` stack's outputs and the SSM password, in `doctor` as in every other command; an
 * empty TRAEFIKCTL_TRAEFIK_PASSWORD is no password at all.
 */
import {
  DeleteParameterCommand,
  GetParameterCommand,
  PutParameterCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';

import { AwsClients } from '../../../src/lib/aws/clients.js';
import { defaultPasswordParameter } from '../../../src/lib/cluster/password.js';
import { runDoctor } from '../../../src/lib/doctor/run.js';
import { ACCESS_REUSE_MS, openEnvironment } from '../../../src/lib/env/open.js';
import { PASSWORD_VARIABLE, passwordFromEnvironment } from '../../../src/lib/traefik/access.js';
import { TraefikClient } from '../../../src/lib/traefik/client.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startLiveTraefik, type LiveTraefik } from '../../support/traefik-live.js';
import { projectDir, seedClusterStack } from '../app/seed.js';

describeWith(['moto', 'traefik'], 'openEnvironment on a default project', (stack) => {
  const clients = new AwsClients();
  const env = uniqueName('open').slice(0, 16);
  let live: LiveTraefik;
  let cwd: string;

  beforeAll(async () => {
    live = await startLiveTraefik(stack);
    // given the stack `cluster up` leaves, whose outputs name the API, and its password in SSM
    await seedClusterStack(clients, env, { ApiUrl: live.apiUrl, ApiUsername: live.username });
    await (
      await clients.ssm()
    ).send(
      new PutParameterCommand({
        Name: defaultPasswordParameter(env),
        Type: 'SecureString',
        Value: live.password,
        Overwrite: true,
      }),
    );
    // and a project that says nothing about Traefik
    cwd = await projectDir(`domain: example.com\nenvironment: ${env}\n`);
  });

  afterAll(async () => {
    await live?.stop();
    await (
      await clients.ssm()
    )
      .send(new DeleteParameterCommand({ Name: defaultPasswordParameter(env) }))
      .catch(() => undefined);
    await clients.destroy();
  });

  it("reads the stack's outputs once and reaches Traefik with the stack's URL and the SSM password", async () => {
    // when a command opens the env and asks for Traefik
    const environment = await openEnvironment({ cwd, global: {}, environment: {} });
    try {
      expect(environment.target).toBe('ecs');
      expect(environment.env).toBe(env);
      const outputs = await environment.outputs();
      expect(await environment.outputs()).toBe(outputs);
      const access = await environment.traefik();

      // then the URL is the stack's, and the password is the one Traefik holds
      expect(access.apiUrl).toBe(live.apiUrl);
      expect(access.password).toBe(live.password);
      expect((await new TraefikClient(access).version()).Version).toBe(stack.traefik.version);
    } finally {
      await environment.close();
    }
  });

  it('reads the password once for the routes and the traffic of one view, and again a few seconds later', async () => {
    const sent = vi.spyOn(SSMClient.prototype, 'send');
    const reads = () => sent.mock.calls.filter(([command]) => command instanceof GetParameterCommand).length;
    const environment = await openEnvironment({ cwd, global: {}, environment: {} });
    try {
      // when a view opens its routes and its traffic together, then asks again at once
      const [first, second] = await Promise.all([environment.traefik(), environment.traefik()]);
      expect(await environment.traefik()).toBe(first);
      expect(second).toBe(first);
      expect(reads()).toBe(1);

      // when a watch refreshes after the reuse window, the password is read again (a rotated one shows up)
      const now = Date.now();
      const clock = vi.spyOn(Date, 'now').mockReturnValue(now + ACCESS_REUSE_MS + 1);
      try {
        expect((await environment.traefik()).password).toBe(live.password);
      } finally {
        clock.mockRestore();
      }
      expect(reads()).toBe(2);
    } finally {
      sent.mockRestore();
      await environment.close();
    }
  });

  it('treats an empty TRAEFIKCTL_TRAEFIK_PASSWORD as not set, and reads SSM', async () => {
    // given the variable set but empty (`export TRAEFIKCTL_TRAEFIK_PASSWORD=` in a CI script)
    const environment = await openEnvironment({ cwd, global: {}, environment: { [PASSWORD_VARIABLE]: '' } });
    try {
      // when the access is resolved
      const access = await environment.traefik();
      // then the password comes from SSM, and the hint says so
      expect(access.password).toBe(live.password);
      expect(access.credentialHints?.join(' ')).toContain(defaultPasswordParameter(env));
    } finally {
      await environment.close();
    }
    expect(passwordFromEnvironment({ [PASSWORD_VARIABLE]: '' })).toBeUndefined();
    expect(passwordFromEnvironment({ [PASSWORD_VARIABLE]: 's3cret' })).toBe('s3cret');
  });

  it("has doctor check Traefik through the stack's ApiUrl when traefik.apiUrl is not set", async () => {
    // when the doctor runs on the default project
    const report = await runDoctor({ cwd, global: {}, env: {} });

    // then the Traefik check ran against the live Traefik and passed
    expect(report.checks.find((check) => check.id === 'traefik')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(`Traefik ${stack.traefik.version}`) as unknown,
    });
  });

  it('has doctor skip Traefik, saying why, when the env has no stack to name the API', async () => {
    const other = await projectDir(`domain: example.com\nenvironment: ${uniqueName('none').slice(0, 16)}\n`);
    const report = await runDoctor({ cwd: other, global: {}, env: {} });
    expect(report.checks.find((check) => check.id === 'traefik')).toMatchObject({
      status: 'skip',
      detail: expect.stringContaining('no API URL') as unknown,
    });
  });
});
