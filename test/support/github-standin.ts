/**
 * A GitHub REST API stand-in on 127.0.0.1 (there is no GitHub here). Every request is checked against
 * GitHub's own published OpenAPI description (the `@octokit/openapi` package): the path and method must
 * be an operation it describes, path and query parameters must match their schemas, and a JSON body
 * must validate (ajv) against the operation's request body schema. Whatever does not is recorded in
 * `violations` and answered 400, so a test that lets a violation through fails. Answers are built
 * from the description's own examples with the stand-in's state laid over them, and are validated
 * against the response schema too, so the client reads bodies shaped as GitHub's.
 *
 * It keeps deployments, deployment statuses, issue comments, pull requests and branches in memory,
 * and can refuse with 403, 404, 422 or a rate limit, by operation.
 */
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';

import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

import { REPO_ROOT } from './cli.js';
import { startLocalServer, type LocalServer } from './local-server.js';

type Json = Record<string, unknown>;

interface Spec {
  paths: Record<string, Record<string, Operation | undefined>>;
  components: Json;
}

interface Operation {
  operationId: string;
  parameters?: Json[];
  requestBody?: { required?: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { content?: Record<string, { schema?: Json; examples?: Record<string, Json> }> }>;
}

const SPEC_FILE = path.join(REPO_ROOT, 'node_modules/@octokit/openapi/generated/api.github.com.json');
const SPEC_ID = 'https://standin.invalid/api.github.com.json';

let loaded: { spec: Spec; ajv: Ajv; routes: Route[] } | undefined;

interface Route {
  template: string;
  pattern: RegExp;
  names: string[];
}

/** Parsed once per test file: 13 MB of JSON, of which ajv compiles only what requests reach. */
function description(): { spec: Spec; ajv: Ajv; routes: Route[] } {
  if (loaded !== undefined) return loaded;
  const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Spec;
  nullableWithoutType(spec);
  const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
  (addFormatsModule as unknown as (ajv: Ajv) => void)(ajv);
  ajv.addSchema({ ...spec, $id: SPEC_ID });
  const routes = Object.keys(spec.paths).map((template) => {
    const names: string[] = [];
    const source = template
      .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
      .replace(/\{([^}]+)\}/g, (_m, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
    return { template, pattern: new RegExp(`^${source}$`), names };
  });
  loaded = { spec, ajv, routes };
  return loaded;
}

/**
 * OpenAPI 3.0's `nullable: true` beside `allOf`/`anyOf` and no `type` (as in pull-request's
 * `milestone`): ajv accepts `nullable` only with a type, so such a schema becomes "that, or null".
 */
function nullableWithoutType(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) nullableWithoutType(item);
    return;
  }
  if (typeof node !== 'object' || node === null) return;
  const schema = node as Json;
  for (const value of Object.values(schema)) nullableWithoutType(value);
  if (schema.nullable === true && !('type' in schema)) {
    const { nullable: _nullable, ...rest } = schema;
    for (const key of Object.keys(schema)) Reflect.deleteProperty(schema, key);
    schema.anyOf = [rest, { type: 'null' }];
  }
}

const validators = new Map<string, ValidateFunction>();

function pointer(...parts: string[]): string {
  return `${SPEC_ID}#/${parts.map((part) => part.replaceAll('~', '~0').replaceAll('/', '~1')).join('/')}`;
}

function validatorAt(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (validate === undefined) {
    validate = description().ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  return validate;
}

/** Follows `#/components/...` references inside the description. */
function resolve<T>(value: T): T {
  let current: unknown = value;
  while (typeof current === 'object' && current !== null && '$ref' in current) {
    const ref = (current as { $ref: string }).$ref;
    current = ref
      .slice(2)
      .split('/')
      .reduce<unknown>(
        (node, key) => (node as Json)[key.replaceAll('~1', '/').replaceAll('~0', '~')],
        description().spec,
      );
  }
  return current as T;
}

function coerce(value: string, schema: Json | undefined): unknown {
  const type = schema?.type;
  if (type === 'integer' || type === 'number') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

export interface RecordedRequest {
  method: string;
  /** The path under the API's base, with its query. */
  path: string;
  operationId: string | undefined;
  params: Record<string, string>;
  query: Record<string, string>;
  body: unknown;
  status: number;
  authorization: string | undefined;
}

export interface Refusal {
  operationId: string;
  status: 403 | 404 | 422 | 429;
  /** A rate limit (403 with x-ratelimit-remaining: 0, or 429 with retry-after) instead of a refusal. */
  rateLimit?: boolean;
  /** Refuse this many times, then answer normally (default: always). */
  times?: number;
  message?: string;
}

export interface StandinDeployment {
  id: number;
  sha: string;
  ref: string;
  environment: string;
  task: string;
  payload: unknown;
  description: string | null;
  transient_environment: boolean;
  production_environment: boolean;
  created_at: string;
  statuses: {
    id: number;
    state: string;
    environment_url: string;
    log_url: string;
    description: string;
    created_at: string;
  }[];
}

export interface GitHubStandin {
  /** The base URL to give GITHUB_API_URL: under /api/v3, as GitHub Enterprise Server serves it. */
  apiUrl: string;
  requests: RecordedRequest[];
  /** Requests GitHub's description does not allow: a test asserts there are none. */
  violations: string[];
  deployments: StandinDeployment[];
  comments: Map<number, { id: number; body: string; created_at: string; updated_at: string }[]>;
  pulls: Map<number, { state: 'open' | 'closed'; merged: boolean; head: string }>;
  branches: Set<string>;
  refuse(refusal: Refusal): void;
  close(): Promise<void>;
}

const PREFIX = '/api/v3';

export async function startGitHubStandin(
  options: { owner?: string; repo?: string } = {},
): Promise<GitHubStandin> {
  const { spec, routes } = description();
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'shop';
  const requests: RecordedRequest[] = [];
  const violations: string[] = [];
  const deployments: StandinDeployment[] = [];
  const comments = new Map<number, { id: number; body: string; created_at: string; updated_at: string }[]>();
  const pulls = new Map<number, { state: 'open' | 'closed'; merged: boolean; head: string }>();
  const branches = new Set<string>(['main']);
  const refusals: Refusal[] = [];
  let nextId = 1000;
  const listening: { server?: LocalServer } = {};
  const base = () => `${listening.server?.url ?? ''}${PREFIX}`;
  const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

  /** The description's first example for a response, as the base of an answer. */
  const example = (operation: Operation, status: string): Json => {
    const examples = operation.responses[status]?.content?.['application/json']?.examples ?? {};
    const first = Object.values(examples)[0];
    const value = first === undefined ? {} : resolve<{ value?: unknown }>(first).value;
    const one = Array.isArray(value) ? (value[0] as unknown) : value;
    return structuredClone((one ?? {}) as Json);
  };

  const deploymentBody = (operation: Operation, status: string, d: StandinDeployment): Json => ({
    ...example(operation, status),
    url: `${base()}/repos/${owner}/${repo}/deployments/${d.id}`,
    id: d.id,
    node_id: `DE_${d.id}`,
    sha: d.sha,
    ref: d.ref,
    task: d.task,
    payload: d.payload,
    original_environment: d.environment,
    environment: d.environment,
    description: d.description,
    created_at: d.created_at,
    updated_at: d.statuses.at(-1)?.created_at ?? d.created_at,
    statuses_url: `${base()}/repos/${owner}/${repo}/deployments/${d.id}/statuses`,
    repository_url: `${base()}/repos/${owner}/${repo}`,
    transient_environment: d.transient_environment,
    production_environment: d.production_environment,
  });

  const statusBody = (
    operation: Operation,
    code: string,
    d: StandinDeployment,
    s: StandinDeployment['statuses'][number],
  ): Json => ({
    ...example(operation, code),
    url: `${base()}/repos/${owner}/${repo}/deployments/${d.id}/statuses/${s.id}`,
    id: s.id,
    node_id: `DES_${s.id}`,
    state: s.state,
    description: s.description,
    environment: d.environment,
    // GitHub leaves out the URLs a status was not given.
    ...(s.log_url === '' ? {} : { target_url: s.log_url, log_url: s.log_url }),
    ...(s.environment_url === '' ? {} : { environment_url: s.environment_url }),
    created_at: s.created_at,
    updated_at: s.created_at,
    deployment_url: `${base()}/repos/${owner}/${repo}/deployments/${d.id}`,
    repository_url: `${base()}/repos/${owner}/${repo}`,
  });

  const commentBody = (
    operation: Operation,
    code: string,
    issue: number,
    c: { id: number; body: string; created_at: string; updated_at: string },
  ): Json => ({
    ...example(operation, code),
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${base()}/repos/${owner}/${repo}/issues/comments/${c.id}`,
    html_url: `https://github.invalid/${owner}/${repo}/pull/${issue}#issuecomment-${c.id}`,
    issue_url: `${base()}/repos/${owner}/${repo}/issues/${issue}`,
    body: c.body,
    created_at: c.created_at,
    updated_at: c.updated_at,
  });

  type Answer = { status: number; body?: unknown; headers?: Record<string, string> };
  const error = (status: number, message: string): Answer => ({
    status,
    body: { message, documentation_url: 'https://docs.github.com/rest', status: String(status) },
  });

  const handlers: Record<
    string,
    (operation: Operation, p: Record<string, string>, q: Record<string, string>, body: Json) => Answer
  > = {
    'repos/create-deployment': (operation, _p, _q, body) => {
      const d: StandinDeployment = {
        id: nextId++,
        sha: String(body.ref),
        ref: String(body.ref),
        environment: typeof body.environment === 'string' ? body.environment : 'production',
        task: typeof body.task === 'string' ? body.task : 'deploy',
        payload: body.payload ?? {},
        description: typeof body.description === 'string' ? body.description : null,
        transient_environment: body.transient_environment === true,
        production_environment: body.production_environment === true,
        created_at: now(),
        statuses: [],
      };
      deployments.push(d);
      return { status: 201, body: deploymentBody(operation, '201', d) };
    },
    'repos/list-deployments': (operation, _p, q) => {
      const list = deployments
        .filter(
          (d) =>
            (q.environment === undefined || d.environment === q.environment) &&
            (q.sha === undefined || d.sha === q.sha),
        )
        .reverse()
        .slice(0, Number(q.per_page ?? 30));
      return { status: 200, body: list.map((d) => deploymentBody(operation, '200', d)) };
    },
    'repos/create-deployment-status': (operation, p, _q, body) => {
      const d = deployments.find((item) => item.id === Number(p.deployment_id));
      if (d === undefined) return error(404, 'Not Found');
      const s = {
        id: nextId++,
        state: String(body.state),
        environment_url: typeof body.environment_url === 'string' ? body.environment_url : '',
        log_url: typeof body.log_url === 'string' ? body.log_url : '',
        description: typeof body.description === 'string' ? body.description : '',
        created_at: now(),
      };
      d.statuses.push(s);
      // As documented: a success with auto_inactive (default true) marks earlier non-transient,
      // non-production deployments of the same environment inactive.
      if (s.state === 'success' && body.auto_inactive !== false) {
        for (const other of deployments) {
          if (
            other === d ||
            other.environment !== d.environment ||
            other.transient_environment ||
            other.production_environment
          )
            continue;
          if (other.statuses.at(-1)?.state !== 'inactive')
            other.statuses.push({
              ...s,
              id: nextId++,
              state: 'inactive',
              environment_url: '',
              description: '',
            });
        }
      }
      return { status: 201, body: statusBody(operation, '201', d, s) };
    },
    'repos/list-deployment-statuses': (operation, p, q) => {
      const d = deployments.find((item) => item.id === Number(p.deployment_id));
      if (d === undefined) return error(404, 'Not Found');
      const list = [...d.statuses].reverse().slice(0, Number(q.per_page ?? 30));
      return { status: 200, body: list.map((s) => statusBody(operation, '200', d, s)) };
    },
    'issues/list-comments': (operation, p, q) => {
      const issue = Number(p.issue_number);
      const perPage = Number(q.per_page ?? 30);
      const page = Number(q.page ?? 1);
      const list = (comments.get(issue) ?? []).slice((page - 1) * perPage, page * perPage);
      return { status: 200, body: list.map((c) => commentBody(operation, '200', issue, c)) };
    },
    'issues/create-comment': (operation, p, _q, body) => {
      const issue = Number(p.issue_number);
      const c = { id: nextId++, body: String(body.body), created_at: now(), updated_at: now() };
      comments.set(issue, [...(comments.get(issue) ?? []), c]);
      return { status: 201, body: commentBody(operation, '201', issue, c) };
    },
    'issues/update-comment': (operation, p, _q, body) => {
      for (const [issue, list] of comments) {
        const c = list.find((item) => item.id === Number(p.comment_id));
        if (c === undefined) continue;
        c.body = String(body.body);
        c.updated_at = now();
        return { status: 200, body: commentBody(operation, '200', issue, c) };
      }
      return error(404, 'Not Found');
    },
    'pulls/get': (operation, p) => {
      const pr = pulls.get(Number(p.pull_number));
      if (pr === undefined) return error(404, 'Not Found');
      return {
        status: 200,
        body: {
          ...example(operation, '200'),
          // GitHub's own example lists teams without the `type` its schema requires: none here.
          requested_teams: [],
          number: Number(p.pull_number),
          state: pr.state,
          merged: pr.merged,
          merged_at: pr.merged ? now() : null,
          closed_at: pr.state === 'closed' ? now() : null,
        },
      };
    },
    'repos/get-branch': (operation, p) =>
      branches.has(p.branch ?? '')
        ? { status: 200, body: { ...example(operation, '200'), name: p.branch } }
        : error(404, 'Branch not found'),
  };

  const answer = (
    req: IncomingMessage,
    raw: string,
  ): { answer: Answer; record: Omit<RecordedRequest, 'status'> } => {
    const url = new URL(req.url ?? '/', 'http://standin.invalid');
    const method = (req.method ?? 'GET').toLowerCase();
    const query = Object.fromEntries(url.searchParams);
    const record: Omit<RecordedRequest, 'status'> = {
      method: method.toUpperCase(),
      path: `${url.pathname.slice(PREFIX.length)}${url.search}`,
      operationId: undefined,
      params: {},
      query,
      body: undefined,
      authorization: req.headers.authorization,
    };
    const violation = (text: string): { answer: Answer; record: typeof record } => {
      violations.push(`${method.toUpperCase()} ${url.pathname}: ${text}`);
      return { answer: error(400, `stand-in: ${text}`), record };
    };
    if (!url.pathname.startsWith(`${PREFIX}/`)) return violation(`not under the API base ${PREFIX}`);
    const apiPath = url.pathname.slice(PREFIX.length);
    const route = routes.find((candidate) => candidate.pattern.test(apiPath));
    if (route === undefined) return violation("no such path in GitHub's description");
    const operation = spec.paths[route.template]?.[method];
    if (operation === undefined)
      return violation(`${method.toUpperCase()} is not an operation of ${route.template}`);
    record.operationId = operation.operationId;
    const values = route.pattern.exec(apiPath)?.slice(1) ?? [];
    const params = Object.fromEntries(
      route.names.map((name, i) => [name, decodeURIComponent(values[i] ?? '')]),
    );
    record.params = params;

    // Parameters: each one declared, of its schema; required ones present.
    const declared = (operation.parameters ?? []).map((parameter, index) => {
      const resolved = resolve(parameter) as { name: string; in: string; required?: boolean; schema?: Json };
      const ref = (parameter as { $ref?: string }).$ref;
      const schemaRef =
        ref === undefined
          ? `${pointer('paths', route.template, method, 'parameters', String(index))}/schema`
          : `${SPEC_ID}${ref}/schema`;
      return { ...resolved, schemaRef };
    });
    const given = [
      ...Object.entries(params).map(([name, value]) => ({ where: 'path', name, value })),
      ...Object.entries(query).map(([name, value]) => ({ where: 'query', name, value })),
    ];
    for (const { where, name, value } of given) {
      const parameter = declared.find((item) => item.in === where && item.name === name);
      if (parameter === undefined) return violation(`${where} parameter ${name} is not declared`);
      const validate = validatorAt(parameter.schemaRef);
      if (!validate(coerce(value, parameter.schema)))
        return violation(
          `${where} parameter ${name}=${value}: ${description().ajv.errorsText(validate.errors)}`,
        );
    }
    for (const parameter of declared) {
      const present =
        parameter.in === 'path'
          ? parameter.name in params
          : parameter.in !== 'query' || parameter.name in query;
      if (parameter.required && !present)
        return violation(`required ${parameter.in} parameter ${parameter.name} is missing`);
    }

    // The body: JSON, valid against the operation's schema.
    let body: Json = {};
    if (operation.requestBody !== undefined) {
      if (raw === '' && operation.requestBody.required) return violation('the request body is required');
      if (raw !== '') {
        if (!/^application\/json/.test(req.headers['content-type'] ?? ''))
          return violation('the body is not application/json');
        try {
          body = JSON.parse(raw) as Json;
        } catch {
          return violation('the body is not JSON');
        }
        const validate = validatorAt(
          pointer('paths', route.template, method, 'requestBody', 'content', 'application/json', 'schema'),
        );
        if (!validate(body)) return violation(`body: ${description().ajv.errorsText(validate.errors)}`);
      }
    } else if (raw !== '') return violation('this operation takes no body');
    record.body = raw === '' ? undefined : body;

    if (!/^(token|bearer) \S+$/i.test(req.headers.authorization ?? ''))
      return { answer: error(401, 'Requires authentication'), record };

    const refusal = refusals.find(
      (item) => item.operationId === operation.operationId && (item.times ?? 1) > 0,
    );
    if (refusal !== undefined) {
      if (refusal.times !== undefined) refusal.times -= 1;
      const reset = String(Math.floor(Date.now() / 1000) + 1);
      if (refusal.rateLimit)
        return {
          answer: {
            ...error(refusal.status, refusal.message ?? 'API rate limit exceeded for installation.'),
            headers:
              refusal.status === 429
                ? { 'retry-after': '1' }
                : { 'x-ratelimit-remaining': '0', 'x-ratelimit-limit': '5000', 'x-ratelimit-reset': reset },
          },
          record,
        };
      const messages = {
        403: 'Resource not accessible by integration',
        404: 'Not Found',
        422: 'Validation Failed',
        429: 'Too Many Requests',
      };
      return { answer: error(refusal.status, refusal.message ?? messages[refusal.status]), record };
    }

    const handler = handlers[operation.operationId];
    if (handler === undefined) return violation(`the stand-in does not implement ${operation.operationId}`);
    const result = handler(operation, params, query, body);
    // The answer must be what GitHub's description says this operation answers.
    const schema = operation.responses[String(result.status)]?.content?.['application/json']?.schema;
    if (schema !== undefined && result.status < 300) {
      const validate = validatorAt(
        pointer(
          'paths',
          route.template,
          method,
          'responses',
          String(result.status),
          'content',
          'application/json',
          'schema',
        ),
      );
      if (!validate(result.body))
        violations.push(
          `stand-in answer to ${operation.operationId}: ${description().ajv.errorsText(validate.errors)}`,
        );
    }
    return { answer: result, record };
  };

  const server = await startLocalServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      let outcome: ReturnType<typeof answer>;
      try {
        outcome = answer(req, Buffer.concat(chunks).toString('utf8'));
      } catch (error) {
        // A stand-in that can't check a request must fail the test, not hang it.
        violations.push(`${req.method} ${req.url}: the stand-in failed: ${String(error)}`);
        outcome = {
          answer: { status: 500, body: { message: 'stand-in failure' } },
          record: {
            method: req.method ?? '',
            path: req.url ?? '',
            operationId: undefined,
            params: {},
            query: {},
            body: undefined,
            authorization: undefined,
          },
        };
      }
      const { answer: result, record } = outcome;
      requests.push({ ...record, status: result.status });
      res.writeHead(result.status, {
        'content-type': 'application/json; charset=utf-8',
        'x-github-media-type': 'github.v3; format=json',
        ...result.headers,
      });
      res.end(result.body === undefined ? '' : JSON.stringify(result.body));
    });
  });

  listening.server = server;
  return {
    apiUrl: `${server.url}${PREFIX}`,
    requests,
    violations,
    deployments,
    comments,
    pulls,
    branches,
    refuse: (refusal) => refusals.push({ ...refusal }),
    close: () => server.close(),
  };
}
