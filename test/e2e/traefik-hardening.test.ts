/**
 * Issue 14 as a user meets it: bin/run.js against Traefik APIs that misbehave on purpose (local
 * stand-ins on 127.0.0.1), ECS and CloudWatch in moto. What is checked is what the user sees:
 * stdout, stderr and the exit code, and what the stand-ins received.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';

import { AwsClients } from '../../src/lib/aws/clients.js';
import { runCli, type CliResult } from '../support/cli.js';
import { startLocalServer, type LocalServer } from '../support/local-server.js';
import { describeWith, uniqueName } from '../support/stack.js';
import { hasScript, runOnTerminal } from '../support/terminal.js';
import { startTraefikServer } from '../support/traefik-server.js';
import { putLogLines, seedClusterStack, seedDeployment } from '../integration/app/seed.js';
import { controlsObeyed } from '../support/terminal-controls.js';

const PASSWORD = 'S3cret-Pa55';
const EVIL = 'evil\u001b]0;PWNED\u0007\u001b[2J';
const SHOWN = 'evil^[]0;PWNED^G^[[2J';

const clients = new AwsClients();
afterAll(() => clients.destroy());

function everything(result: CliResult): string {
  return `${result.stdout}\n${result.stderr}`;
}

describeWith(['moto'], 'issue 14: the Traefik API, its password and what reaches the terminal', () => {
  let cwd: string;
  let env: string;
  const closers: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'traefikctl-e2e-hardening-'));
    env = uniqueName('hd');
  });

  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
    await rm(cwd, { recursive: true, force: true });
  });

  /** A stand-in that records each request with its Authorization header. */
  async function serve(
    answer: (request: IncomingMessage, response: ServerResponse) => void,
  ): Promise<LocalServer & { seen: { url: string; authorization: string | undefined }[] }> {
    const seen: { url: string; authorization: string | undefined }[] = [];
    const server = await startLocalServer((request, response) => {
      seen.push({ url: request.url ?? '', authorization: request.headers.authorization });
      answer(request, response);
    });
    closers.push(server.close);
    return Object.assign(server, { seen });
  }

  const cli = (args: string[], variables: NodeJS.ProcessEnv = {}, unset: string[] = []) =>
    runCli([...args, '--env', env], { cwd, env: variables, unset, timeoutMs: 90_000 });

  it('never sends the API password to another port a redirect points at', async () => {
    // given an API that redirects every request to the same host on another port
    const other = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('[]');
    });
    const api = await serve((request, response) => {
      response.writeHead(302, { location: `${other.url}${request.url ?? '/'}` });
      response.end();
    });
    // when routes reads it with the password
    const result = await cli(['routes', '--api-url', api.url], { TRAEFIKCTL_TRAEFIK_PASSWORD: PASSWORD });
    // then the other port never sees the password, and the user is told where the API redirects
    expect(other.seen.filter((request) => request.authorization !== undefined)).toEqual([]);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Error: Traefik's API at ${api.url} redirects to another address, ${other.url}/api/`,
    );
    expect(result.stderr).toContain(`If ${other.url} is where the API is, use it as --api-url`);
  });

  it('refuses a password written into traefik.apiUrl in config show, --json and doctor, never printing it', async () => {
    // given traefik.apiUrl from ${TRAEFIK_URL}, which holds a password
    await writeFile(
      path.join(cwd, 'traefikctl.config.yaml'),
      'domain: example.com\ntraefik:\n  apiUrl: ${TRAEFIK_URL}\n',
    );
    const variables = { TRAEFIK_URL: `http://admin:${PASSWORD}@127.0.0.1:7100` };
    // when the configuration is shown, as text and as JSON, and the doctor runs
    const text = await cli(['config', 'show'], variables);
    const json = await cli(['config', 'show', '--json'], variables);
    const doctor = await cli(['doctor'], variables);
    // then each refuses it as a configuration mistake naming the key and the supported ways
    for (const result of [text, json, doctor]) expect(everything(result)).not.toContain(PASSWORD);
    expect(text.exitCode).toBe(2);
    expect(text.stderr).toContain(
      'traefikctl.config.yaml:3:11: traefik.apiUrl has a user name and password in it (from ${TRAEFIK_URL})',
    );
    expect(text.stderr).toContain('TRAEFIKCTL_TRAEFIK_PASSWORD');
    expect(json.exitCode).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'CONFIG_URL_CREDENTIALS', exitCode: 2 } });
    expect(doctor.exitCode).toBe(1);
    expect(doctor.stdout).toMatch(
      /✗ Configuration +traefikctl\.config\.yaml:3:11: traefik\.apiUrl has a user name/,
    );
  });

  it('refuses a password written into --api-url without repeating it, valid URL or not', async () => {
    // given an API that would take the password
    const server = await startTraefikServer({ data: {}, auth: { username: 'admin', password: PASSWORD } });
    closers.push(() => server.stop());
    // when routes, routes show and status are given it in the URL (and SSM has no password)
    const invalid = await cli(['routes', '--api-url', `http://admin:${PASSWORD}@127.0.0.1:99999`]);
    // (a wrong one: the API's refusal would then have quoted the SSM hint "No password was sent")
    const wrong = 'Wr0ng-Pa55';
    const routes = await cli(['routes', '--api-url', server.url.replace('//', `//admin:${wrong}@`)], {}, [
      'TRAEFIKCTL_TRAEFIK_PASSWORD',
    ]);
    const show = await cli([
      'routes',
      'show',
      'x',
      '--api-url',
      server.url.replace('//', `//admin:${PASSWORD}@`),
    ]);
    // then each is a usage error that names the supported ways, and the API never saw a request
    for (const result of [invalid, routes, show]) {
      expect(result.exitCode, result.stderr).toBe(2);
      expect(everything(result)).not.toContain(PASSWORD);
    }
    expect(everything(routes)).not.toContain(wrong);
    expect(invalid.stderr).toContain('Error: The Traefik API URL "http://***@127.0.0.1:99999" is not a URL.');
    expect(routes.stderr).toContain(
      `Error: The Traefik API URL ${server.url.replace('//', '//***@')} has a user name and password in it`,
    );
    expect(routes.stderr).toContain('TRAEFIKCTL_TRAEFIK_PASSWORD');
    // "No password was sent" would be false: the URL's password would have been sent
    expect(routes.stderr).not.toContain('No password was sent');
    expect(server.requests).toEqual([]);

    // and status, which shows the API's address and why it can't be read, shows neither
    await seedClusterStack(clients, env);
    const status = await cli([
      'status',
      '--json',
      '--api-url',
      server.url.replace('//', `//admin:${PASSWORD}@`),
    ]);
    expect(status.exitCode, status.stderr).toBe(0);
    expect(everything(status)).not.toContain(PASSWORD);
    expect((JSON.parse(status.stdout) as { traefik: { apiUrl: string } }).traefik.apiUrl).toBe(
      server.url.replace('//', '//***@'),
    );
  });

  it('doctor reads the Traefik API as the other commands do: its password, and hints when it is refused', async () => {
    // given a config naming an API with basic auth
    const server = await startTraefikServer({ data: {}, auth: { username: 'admin', password: PASSWORD } });
    closers.push(() => server.stop());
    await writeFile(
      path.join(cwd, 'traefikctl.config.yaml'),
      `domain: example.com\ntraefik:\n  apiUrl: ${server.url}\n`,
    );
    type Report = { checks: { id: string; status: string; detail: string; fix?: string }[] };
    const traefik = (result: CliResult) =>
      (JSON.parse(result.stdout) as Report).checks.find((check) => check.id === 'traefik');
    // when the doctor runs with the password, and without one
    const right = await cli(['doctor', '--json'], { TRAEFIKCTL_TRAEFIK_PASSWORD: PASSWORD });
    const none = await cli(['doctor', '--json'], {}, ['TRAEFIKCTL_TRAEFIK_PASSWORD']);
    // then the check passes with it, and without it says that none was sent and why
    expect(traefik(right)).toMatchObject({ status: 'ok', detail: `Traefik 3.7.9 at ${server.url}` });
    expect(traefik(none)).toMatchObject({
      status: 'fail',
      detail: `Traefik's API at ${server.url} asks for a password (401 Unauthorized), and none was given.`,
      fix: `No password was sent: the SSM parameter /traefikctl/${env}/traefik-api-password doesn't exist. Set TRAEFIKCTL_TRAEFIK_PASSWORD, or traefik.passwordParameter in the configuration.`,
    });
  });

  it('says "No password was sent" only when none was', async () => {
    // given an API with basic auth, and no password anywhere (SSM has no parameter for this env)
    const server = await startTraefikServer({ data: {}, auth: { username: 'admin', password: PASSWORD } });
    closers.push(() => server.stop());
    // when routes reads it
    const result = await cli(['routes', '--api-url', server.url], {}, ['TRAEFIKCTL_TRAEFIK_PASSWORD']);
    // then the 401 and the hint agree: nothing was sent, and why
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('asks for a password (401 Unauthorized), and none was given.');
    expect(result.stderr).toContain(
      `No password was sent: the SSM parameter /traefikctl/${env}/traefik-api-password doesn't exist.`,
    );
    expect(result.stderr).not.toContain('Check traefik.username');
  });

  it('shows the escape sequences of a router name in routes and routes show, in a pipe', async () => {
    // given Traefik with a router whose name sets the window title and clears the screen
    const server = await startTraefikServer({
      data: {
        http: {
          routers: [{ name: `${EVIL}@ecs`, provider: 'ecs', status: 'enabled', rule: `Host(\`${EVIL}\`)` }],
        },
      },
    });
    closers.push(() => server.stop());
    // when routes and routes show print it, and --json carries it
    const routes = await cli(['routes', '--api-url', server.url]);
    const show = await cli(['routes', 'show', `${EVIL}@ecs`, '--api-url', server.url]);
    const json = await cli(['routes', '--json', '--api-url', server.url]);
    // then the sequences are shown, never sent; --json keeps the name as it is
    expect(routes.exitCode, routes.stderr).toBe(0);
    expect(show.exitCode, show.stderr).toBe(0);
    for (const result of [routes, show]) {
      expect(controlsObeyed(everything(result))).toEqual([]);
      expect(result.stdout).toContain(`${SHOWN}@ecs`);
    }
    expect((JSON.parse(json.stdout) as { name: string }[])[0]?.name).toBe(`${EVIL}@ecs`);
  });

  it.skipIf(!hasScript)('shows the escape sequences of a router name in routes on a terminal', async () => {
    const server = await startTraefikServer({
      data: { http: { routers: [{ name: `${EVIL}@ecs`, provider: 'ecs', status: 'enabled' }] } },
    });
    closers.push(() => server.stop());
    const run = runOnTerminal(['routes', '--api-url', server.url, '--env', env], { cwd });
    closers.push(() => Promise.resolve(run.kill()));
    expect(await run.exited).toBe(0);
    expect(run.raw()).toContain(SHOWN);
    expect(controlsObeyed(run.raw())).toEqual([]);
  });

  it('shows the escape sequences of an app log line, in a pipe', async () => {
    // given a deployment that logged a line with escape sequences
    const { cluster, logGroup } = await seedClusterStack(clients, env);
    const { service } = await seedDeployment(clients, cluster, { env, app: 'whoami', tag: 'v1' });
    const at = Date.now() - 60_000;
    await putLogLines(clients, logGroup, `${service}/whoami/task1`, [{ timestamp: at, message: EVIL }]);
    await writeFile(path.join(cwd, 'traefikctl.config.yaml'), 'domain: example.com\n');
    // when its logs are read
    const result = await cli(['app', 'logs', 'whoami', '--tag', 'v1']);
    // then the line shows them
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toBe(`${new Date(at).toISOString()}\ttask1\t${SHOWN}\n`);
  });

  describe('an API whose lists never end', () => {
    /** Every list answers one item per page and always announces the next page. */
    async function endless() {
      return serve((request, response) => {
        const url = new URL(request.url ?? '/', 'http://127.0.0.1');
        const page = Number(url.searchParams.get('page') ?? '1');
        response.writeHead(200, { 'content-type': 'application/json', 'x-next-page': String(page + 1) });
        if (url.pathname === '/api/version') response.end('{"Version":"3.7.9"}');
        else response.end(JSON.stringify([{ name: `r${page}@file`, provider: 'file', status: 'enabled' }]));
      });
    }
    const stopped =
      /Traefik's API at http:\/\/127\.0\.0\.1:\d+ still announces another page of \/api\/\w+\/\w+ \(X-Next-Page: 1001\) after 1,000 pages of up to 1,000 items: traefikctl reads at most 1,000 pages per list\./;

    it('stops routes and routes show with an error that says why', async () => {
      const api = await endless();
      const routes = await cli(['routes', '--api-url', api.url]);
      const show = await cli(['routes', 'show', 'r1@file', '--api-url', api.url]);
      for (const result of [routes, show]) {
        expect(result.exitCode).toBe(1);
        expect(result.stderr).toMatch(stopped);
      }
    });

    it('stops status, which shows why Traefik could not be read', async () => {
      const api = await endless();
      await seedClusterStack(clients, env, { ApiUrl: api.url });
      const result = await cli(['status']);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(stopped);
    });
  });

  it('stops reading an answer of 400 MB at 64 MiB', async () => {
    // given an API whose router list is 400 MB, streamed without announcing a length
    let sent = 0;
    const chunk = Buffer.alloc(1024 * 1024, 0x20);
    const api = await serve((request, response) => {
      response.writeHead(200, { 'content-type': 'application/json', 'x-next-page': '1' });
      if (!(request.url ?? '').startsWith('/api/http/routers')) {
        response.end(request.url?.startsWith('/api/version') ? '{"Version":"3.7.9"}' : '[]');
        return;
      }
      const pump = () => {
        while (!response.destroyed && sent < 400e6) {
          sent += chunk.length;
          if (!response.write(chunk)) {
            response.once('drain', pump);
            return;
          }
        }
        if (!response.destroyed) response.end(']');
      };
      response.write('[');
      pump();
    });
    // when routes reads it
    const result = await cli(['routes', '--api-url', api.url]);
    // then it gives up at the limit, and says so
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain(
      `Error: Traefik's API at ${api.url} answers /api/http/routers with more than 64 MiB: traefikctl reads at most 64 MiB per answer.`,
    );
    // 64 MiB and what the sockets held when it stopped, far from 400 MB
    expect(sent).toBeLessThan(128 * 1024 * 1024);
  });

  it('refuses a 51 MB configuration file at once, naming the limit', async () => {
    // given a configuration of 51 MB (valid YAML: many apps)
    const block = Array.from(
      { length: 1000 },
      (_, i) => `  app${i}:\n    port: 80\n    environment:\n      GREETING: "${'x'.repeat(1000)}"\n`,
    ).join('');
    const copies = Math.ceil((51 * 1024 * 1024) / block.length);
    const body = Array.from({ length: copies }, (_, copy) => block.replaceAll('  app', `  c${copy}app`)).join(
      '',
    );
    await writeFile(path.join(cwd, 'traefikctl.config.yaml'), `domain: example.com\napps:\n${body}`);
    // when the configuration is shown
    const started = Date.now();
    const result = await cli(['config', 'show']);
    // then it is refused in seconds, not minutes
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^Error: traefikctl\.config\.yaml is 51\.\d MiB: traefikctl reads configuration files of at most 1 MiB\./,
    );
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
