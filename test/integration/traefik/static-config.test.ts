/**
 * The static configuration `cluster up` gives Traefik on ECS (renderTraefikArguments) starts the real
 * Traefik v3 of the test stack: every option exists (Traefik exits on an unknown one), ping answers on
 * the internal entry point, and Prometheus serves the tutorial's request-duration buckets, only where a
 * router puts it (`manualRouting`: `cluster up`'s router is behind the API's basic auth; api-auth.test.ts
 * checks that one, here a plain file-provider router stands in for it).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { afterAll, beforeAll, expect, it } from 'vitest';

import { renderTraefikArguments } from '../../../src/lib/cluster/traefik-command.js';
import { describeWith, uniqueName } from '../../support/stack.js';
import { startTraefik, type RunningTraefik } from '../../support/traefik-process.js';
import { eventually, getWithHost } from './support.js';

/** cluster up's arguments for a dev env, as the stack parameter TraefikArguments carries them. */
const CLUSTER_UP_ARGS = renderTraefikArguments({
  cluster: uniqueName('traefikctl-dev'),
  region: 'us-east-1',
  env: 'dev',
  entryPoint: 'web',
  // The default VPC's CIDR: only decides whose X-Forwarded-* headers are trusted; nothing is sent there.
  trustedIps: ['172.31.0.0/16'],
});

/**
 * The same arguments changed in exactly three places, so that they run on this machine:
 * - `--entryPoints.web.address=:80` and `--entryPoints.traefik.address=:8080` are left out, because
 *   startTraefik gives the same two entry points free 127.0.0.1 ports instead (`:80` needs root,
 *   listens on every interface, and parallel test files would collide on it);
 * - `--providers.ecs=true` becomes `--providers.ecs=false`: the ECS provider would call AWS. Every
 *   other `--providers.ecs.*` option stays, and Traefik still decodes them, so a misspelt one still
 *   makes it exit (the last test shows it).
 */
function runnableHere(args: readonly string[]): string[] {
  const changed = args
    .filter((arg) => arg !== '--entryPoints.web.address=:80' && arg !== '--entryPoints.traefik.address=:8080')
    .map((arg) => (arg === '--providers.ecs=true' ? '--providers.ecs=false' : arg));
  if (changed.length !== args.length - 2 || changed.includes('--providers.ecs=true')) {
    throw new Error(`cluster up's arguments changed shape; revisit this test:\n${args.join('\n')}`);
  }
  return changed;
}

type LogLine = Record<string, unknown>;

/** Every line Traefik wrote; with `--log.format=json` and `--accessLog.format=json` each is JSON. */
function jsonLines(output: string): { lines: LogLine[]; notJson: string[] } {
  const lines: LogLine[] = [];
  const notJson: string[] = [];
  for (const text of output.split('\n').filter((line) => line.trim() !== '')) {
    try {
      lines.push(JSON.parse(text) as LogLine);
    } catch {
      notJson.push(text);
    }
  }
  return { lines, notJson };
}

/**
 * The stack builds Traefik from the Go module proxy, whose module has no built web UI, so
 * `--api.dashboard=true` logs this one error; the official image that ECS runs has the UI.
 */
const missingDashboardAssets = (line: LogLine) =>
  line.message === 'Error appending dashboard to API router' && String(line.error).includes('index.html');

/** The host of the router to prometheus@internal (the template's is the API host). */
const METRICS_HOST = 'traefik.dev.example.com';

describeWith(['traefik'], "cluster up's static configuration on the real Traefik", (stack) => {
  let traefik: RunningTraefik | undefined;
  let dir: string | undefined;

  const running = (): RunningTraefik => {
    if (traefik === undefined) throw new Error('Traefik did not start');
    return traefik;
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'traefikctl-static-config-'));
    const routes = path.join(dir, 'metrics.yaml');
    // JSON is YAML: the router `cluster up` puts on Traefik's task, without its basic auth.
    await writeFile(
      routes,
      JSON.stringify({
        http: {
          routers: {
            metrics: {
              rule: `Host(\`${METRICS_HOST}\`) && Path(\`/metrics\`)`,
              entryPoints: ['web'],
              service: 'prometheus@internal',
            },
          },
        },
      }),
    );
    traefik = await startTraefik(stack, {
      entryPoints: ['web', 'traefik'],
      args: [...runnableHere(CLUSTER_UP_ARGS), `--providers.file.filename=${routes}`],
    });
  });

  afterAll(async () => {
    await traefik?.stop();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('starts with every argument, logs JSON without errors, and answers /ping on the internal entry point', async () => {
    // given Traefik started with cluster up's arguments (beforeAll waited for /ping)

    // when the load balancer's health check asks for /ping
    const ping = await fetch(`${running().url('traefik')}/ping`, { signal: AbortSignal.timeout(3_000) });

    // then it answers OK
    expect(ping.status).toBe(200);
    expect(await ping.text()).toBe('OK');
    // and its log is JSON only (CloudWatch Logs Insights reads its fields), with no error in it
    const { lines, notJson } = jsonLines(running().output());
    expect(notJson).toEqual([]);
    expect(lines.length).toBeGreaterThan(0);
    const errors = lines.filter((line) => ['error', 'fatal', 'panic'].includes(String(line.level)));
    expect(errors.filter((line) => !missingDashboardAssets(line))).toEqual([]);
    // and the ECS provider, switched off here, really never started (it would have called AWS)
    expect(running().output()).not.toContain('ecs.Provider');
    expect(running().output()).toContain('Starting provider aggregator');
  });

  it("serves Prometheus metrics with the tutorial's request-duration buckets", async () => {
    // given a request on the web entry point (no routes without ECS: Traefik answers 404 itself)
    const answer = await getWithHost(`${running().url('web')}/metrics-probe`, 'whoami-v1.dev.example.com');
    expect(answer.status).toBe(404);

    // when /metrics is asked for where a router puts it (until its router is loaded, Traefik answers
    // those asks with its own 404 on the web entry point too: they are counted below)
    let notFoundPolls = 0;
    const metrics = await eventually('the web entry point in /metrics', async () => {
      const response = await getWithHost(`${running().url('web')}/metrics`, METRICS_HOST);
      if (response.status === 404) notFoundPolls++;
      return response.status === 200 && response.body.includes('entrypoint="web"')
        ? { done: true, value: response.body }
        : { done: false, seen: `${response.status} ${response.body.slice(0, 200)}` };
    });
    // and where Traefik serves it without manualRouting: the internal entry point, unauthenticated
    const internal = await fetch(`${running().url('traefik')}/metrics`, {
      signal: AbortSignal.timeout(3_000),
    });

    // then only the router serves it
    expect(internal.status).toBe(404);

    // then the web entry point's request-duration histogram has exactly the tutorial's buckets
    const webBuckets = metrics
      .split('\n')
      .filter(
        (line) =>
          line.startsWith('traefik_entrypoint_request_duration_seconds_bucket{') &&
          line.includes('entrypoint="web"') &&
          line.includes('code="404"'),
      )
      .map((line) => /le="([^"]+)"/.exec(line)?.[1]);
    expect(webBuckets).toEqual(['0.1', '0.3', '1.2', '5', '+Inf']);
    // and the request was counted there, with the early asks for /metrics and nothing else
    expect(metrics).toMatch(
      new RegExp(
        String.raw`^traefik_entrypoint_requests_total\{[^}]*code="404"[^}]*entrypoint="web"[^}]*\} ${1 + notFoundPolls}$`,
        'm',
      ),
    );
  });

  it('writes the access log as JSON without request headers, the Authorization header among them', async () => {
    // given a client that sends credentials to the web entry point
    const secret = uniqueName('not-for-logs');
    const path = `/${uniqueName('access-log-probe')}`;
    await getWithHost(`${running().url('web')}${path}`, 'whoami-v1.dev.example.com', {
      authorization: `Basic ${Buffer.from(`admin:${secret}`).toString('base64')}`,
    });

    // when its access log line is written
    const entry = await eventually('the access log line', () => {
      const line = jsonLines(running().output()).lines.find((item) => item.RequestPath === path);
      return Promise.resolve(
        line === undefined
          ? { done: false as const, seen: 'no line yet' }
          : { done: true as const, value: line },
      );
    });

    // then it has the request but none of its headers, and the secret is nowhere in the output
    expect(entry).toMatchObject({ RequestHost: 'whoami-v1.dev.example.com', DownstreamStatus: 404 });
    expect(Object.keys(entry).filter((key) => key.startsWith('request_'))).toEqual([]);
    expect(running().output()).not.toContain(secret);
    expect(running().output()).not.toContain(Buffer.from(`admin:${secret}`).toString('base64'));
  });

  it('exits at once on an option Traefik does not know, naming it', async () => {
    // given cluster up's arguments with one ECS option misspelt (refreshSecond)
    const misspelt = runnableHere(CLUSTER_UP_ARGS).map((arg) =>
      arg.replace('--providers.ecs.refreshSeconds=', '--providers.ecs.refreshSecond='),
    );
    expect(misspelt.some((arg) => arg.startsWith('--providers.ecs.refreshSecond='))).toBe(true);

    // when Traefik is started with them
    const started = startTraefik(stack, { entryPoints: ['web', 'traefik'], args: misspelt });

    // then it exits with an error that names the option, instead of running without it
    await expect(started).rejects.toThrow(/exited \(code 1\)/);
    await expect(started).rejects.toThrow(/field not found, node: refreshSecond/);
  });
});
