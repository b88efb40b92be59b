import { setTimeout as sleep } from 'node:timers/promises';

import type { z } from 'zod';

import { ExitCode, UserError } from '../errors.js';
import type { ConnectAddress } from './connect-to.js';
import type { EventSink } from '../events.js';
import {
  entryPointSchema,
  errorBodySchema,
  middlewareSchema,
  overviewSchema,
  parseTraefikJson,
  rawDataSchema,
  routerSchema,
  serviceSchema,
  versionSchema,
  type TraefikEntryPoint,
  type TraefikMiddleware,
  type TraefikOverview,
  type TraefikRawData,
  type TraefikRouter,
  type TraefikService,
  type TraefikVersion,
} from './schemas.js';
import { fastList, isRouter, isService } from './fast-validate.js';

export interface TraefikClientOptions {
  /**
   * Where the API lives, e.g. `https://traefik.dev.example.com` (`/api/...` is appended; a URL that
   * already ends in `/api` works too, and so does one with `api.basePath`).
   */
  apiUrl: string;
  /** Basic auth user; only sent together with a password. */
  username?: string | undefined;
  password?: string | undefined;
  /** Per request, body included. */
  timeoutMs?: number;
  /** Extra attempts after a 5xx answer or a connection error. */
  retries?: number;
  /** First backoff delay; it doubles on each retry (with jitter). */
  backoffMs?: number;
  /** Items per page when reading lists. Traefik has no upper limit; fewer pages, fewer round trips. */
  perPage?: number;
  /** Where the password came from, for the suggestions of a 401 (never the password itself). */
  credentialHints?: readonly string[];
  /** Connect to this address instead of the URL's host (TRAEFIKCTL_CONNECT_TO); Host and SNI stay. */
  connectTo?: ConnectAddress | undefined;
  signal?: AbortSignal | undefined;
  onEvent?: EventSink | undefined;
}

export type TraefikFailure =
  | 'unauthorized'
  | 'forbidden'
  | 'not-found'
  | 'bad-request'
  | 'timeout'
  | 'unreachable'
  | 'server-error'
  | 'not-json'
  | 'unreadable'
  | 'redirect'
  | 'bad-url'
  | 'unexpected-status';

/** A failed call to Traefik's API: a UserError (the user can fix the URL, the password, the network). */
export class TraefikApiError extends UserError {
  constructor(
    message: string,
    readonly failure: TraefikFailure,
    options: { suggestions?: readonly string[]; status?: number; cause?: unknown } = {},
  ) {
    super(message, {
      suggestions: options.suggestions ?? [],
      code: `TRAEFIK_${failure.toUpperCase().replaceAll('-', '_')}`,
      // A malformed URL is bad input: exit 2, like any other usage error.
      exitCode: failure === 'bad-url' ? ExitCode.Usage : ExitCode.Failure,
      cause: options.cause,
    });
    this.status = options.status;
  }
  readonly status: number | undefined;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRIES = 3;
const DEFAULT_BACKOFF_MS = 250;
const DEFAULT_PER_PAGE = 1000;
const MAX_REDIRECTS = 5;
// A redirect whose Location we follow ourselves, so that basic auth survives http -> https.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Connection failures that another attempt can't fix: a wrong host name, a bad certificate.
const PERMANENT_CONNECTION_ERRORS = /^(ENOTFOUND|ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

/** An answer whose body is read but not yet parsed, so that the next page can be asked for first. */
interface Page {
  text: string;
  nextPage: number | undefined;
  status: number;
  contentType: string | null;
}

/**
 * A read-only client for Traefik v3's API (shared/notes/traefik.md §2): basic auth, a timeout per
 * request, retries with backoff on 5xx and connection errors, every page of every list, and a
 * UserError that says what to fix for everything else. Uses Node's global fetch (keep-alive), so a
 * watch loop reuses its connections.
 */
export class TraefikClient {
  /** The API's address as users should read it: no credentials, no `/api`. */
  readonly displayUrl: string;
  readonly #base: string;
  readonly #authorization: string | undefined;
  readonly #username: string | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #perPage: number;
  readonly #hints: readonly string[];
  readonly #signal: AbortSignal | undefined;
  readonly #onEvent: EventSink | undefined;
  readonly #fetch: () => Promise<typeof fetch>;
  /** ` through <address> (TRAEFIKCTL_CONNECT_TO)` when connections go elsewhere, for errors. */
  readonly #via: string;

  constructor(options: TraefikClientOptions) {
    let url: URL;
    try {
      url = new URL(options.apiUrl);
    } catch (error) {
      throw new TraefikApiError(
        `The Traefik API URL ${JSON.stringify(options.apiUrl)} is not a URL.`,
        'bad-url',
        {
          suggestions: ['Pass a full URL such as --api-url https://traefik.dev.example.com.'],
          cause: error,
        },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new TraefikApiError(`The Traefik API URL must be http or https, not ${url.protocol}`, 'bad-url', {
        suggestions: ['Pass a URL such as --api-url https://traefik.dev.example.com.'],
      });
    }
    // fetch refuses URLs with credentials; take them as the login when none is given otherwise.
    const urlUser = decodeURIComponent(url.username);
    const urlPassword = decodeURIComponent(url.password);
    url.username = '';
    url.password = '';
    const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
    this.#base = `${url.origin}${prefix}`;
    this.displayUrl = this.#base;
    const password = options.password ?? (urlPassword || undefined);
    const username = options.username ?? (urlUser || 'admin');
    this.#username = password === undefined ? undefined : username;
    this.#authorization =
      password === undefined
        ? undefined
        : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retries = options.retries ?? DEFAULT_RETRIES;
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#perPage = options.perPage ?? DEFAULT_PER_PAGE;
    this.#hints = options.credentialHints ?? [];
    this.#signal = options.signal;
    this.#onEvent = options.onEvent;
    const connectTo = options.connectTo;
    let through: Promise<typeof fetch> | undefined;
    this.#fetch =
      connectTo === undefined
        ? () => Promise.resolve(fetch)
        : () => (through ??= import('./connect-to.js').then(({ fetchThrough }) => fetchThrough(connectTo)));
    this.#via =
      connectTo === undefined
        ? ''
        : ` through ${connectTo.host.includes(':') ? `[${connectTo.host}]` : connectTo.host}${connectTo.port === undefined ? '' : `:${connectTo.port}`} (TRAEFIKCTL_CONNECT_TO)`;
  }

  version(): Promise<TraefikVersion> {
    return this.#object('/api/version', versionSchema);
  }

  overview(): Promise<TraefikOverview> {
    return this.#object('/api/overview', overviewSchema);
  }

  rawData(): Promise<TraefikRawData> {
    return this.#object('/api/rawdata', rawDataSchema);
  }

  entryPoints(): Promise<TraefikEntryPoint[]> {
    return this.#list('/api/entrypoints', entryPointSchema);
  }

  httpRouters(): Promise<TraefikRouter[]> {
    return this.#list('/api/http/routers', routerSchema, isRouter);
  }

  httpServices(): Promise<TraefikService[]> {
    return this.#list('/api/http/services', serviceSchema, isService);
  }

  httpMiddlewares(): Promise<TraefikMiddleware[]> {
    return this.#list('/api/http/middlewares', middlewareSchema);
  }

  tcpRouters(): Promise<TraefikRouter[]> {
    return this.#list('/api/tcp/routers', routerSchema, isRouter);
  }

  tcpServices(): Promise<TraefikService[]> {
    return this.#list('/api/tcp/services', serviceSchema, isService);
  }

  udpRouters(): Promise<TraefikRouter[]> {
    return this.#list('/api/udp/routers', routerSchema, isRouter);
  }

  udpServices(): Promise<TraefikService[]> {
    return this.#list('/api/udp/services', serviceSchema, isService);
  }

  /** One HTTP router by its full name (`whoami-v2@ecs`); undefined when Traefik has none by that name. */
  async httpRouter(name: string): Promise<TraefikRouter | undefined> {
    return this.#one(`/api/http/routers/${pathName(name)}`, routerSchema);
  }

  async httpService(name: string): Promise<TraefikService | undefined> {
    return this.#one(`/api/http/services/${pathName(name)}`, serviceSchema);
  }

  async #one<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S> | undefined> {
    try {
      return await this.#object(path, schema);
    } catch (error) {
      if (error instanceof TraefikApiError && error.failure === 'not-found') return undefined;
      throw error;
    }
  }

  async #object<S extends z.ZodType>(path: string, schema: S): Promise<z.infer<S>> {
    const page = await this.#get(path, {}, false);
    return this.#validate(path, schema, page === undefined ? undefined : this.#parse(path, page));
  }

  /**
   * Every item of a paginated list, each name once. Pages are read until `X-Next-Page` stops
   * growing (Traefik sends `1` on the last page). The list may change between two pages: a name seen
   * twice keeps its newest version, and a 400 past the end means the list shrank meanwhile.
   * Each page is parsed once; `fast` checks it in place, zod only explains a page it refuses.
   */
  async #list<S extends z.ZodType<{ name?: string | undefined }>>(
    path: string,
    schema: S,
    fast?: (item: unknown) => boolean,
  ): Promise<z.infer<S>[]> {
    const pages: z.infer<S>[][] = [];
    const query = (page: number) => ({ page: String(page), per_page: String(this.#perPage) });
    // Cancels a next page asked for ahead when this list ends early (a refused page, an empty one).
    const ahead = new AbortController();
    try {
      let pending = this.#get(path, query(1), false, ahead.signal);
      for (let page = 1; ;) {
        const answer = await pending;
        if (answer === undefined) break;
        const next = answer.nextPage !== undefined && answer.nextPage > page ? answer.nextPage : undefined;
        // Parsing and checking a page of 1,000 items takes about as long as the server's next
        // answer: ask for the next page first, so that the two overlap.
        if (next !== undefined) {
          pending = this.#get(path, query(next), true, ahead.signal);
          pending.catch(() => undefined);
        }
        const json = this.#parse(path, answer);
        const items =
          (fast === undefined ? undefined : fastList<z.infer<S>>(json, fast)) ??
          this.#validate(path, schema.array(), json);
        pages.push(items);
        if (items.length === 0 || next === undefined) break;
        page = next;
      }
    } finally {
      ahead.abort();
    }
    return uniqueByName(pages);
  }

  #validate<S extends z.ZodType>(path: string, schema: S, json: unknown): z.infer<S> {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? '' : ` at ${formatPath(issue.path)}`;
    throw new TraefikApiError(
      `Traefik's API at ${this.displayUrl} answered ${path} with data traefikctl can't read${where}: ${issue?.message ?? 'unexpected shape'}.`,
      'unreadable',
      {
        suggestions: [
          'traefikctl reads the API of Traefik v3; check the version with `curl <api-url>/api/version`.',
          'Check that the URL points at Traefik itself, not at a proxy in front of it.',
        ],
      },
    );
  }

  /** One GET with retries. Undefined for a 400 when `pastEndOk` (a page past the end of a list). */
  async #get(
    path: string,
    query: Record<string, string>,
    pastEndOk: boolean,
    cancel?: AbortSignal,
  ): Promise<Page | undefined> {
    const search = new URLSearchParams(query).toString();
    let url = `${this.#base}${path}${search === '' ? '' : `?${search}`}`;
    for (let attempt = 0, redirects = 0; ; attempt++) {
      let response: Response;
      let text: string;
      try {
        this.#signal?.throwIfAborted();
        cancel?.throwIfAborted();
        const signals = [AbortSignal.timeout(this.#timeoutMs)];
        if (this.#signal) signals.push(this.#signal);
        if (cancel) signals.push(cancel);
        const signal = signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
        const send = await this.#fetch();
        response = await send(url, {
          headers: {
            accept: 'application/json',
            ...(this.#authorization === undefined ? {} : { authorization: this.#authorization }),
          },
          redirect: 'manual',
          signal,
        });
        text = await response.text();
      } catch (error) {
        if (this.#signal?.aborted) throw this.#signal.reason;
        if (cancel?.aborted) throw cancel.reason;
        if (isTimeout(error)) throw this.#timeoutError(path, error);
        const code = connectionErrorCode(error);
        if (attempt < this.#retries && !PERMANENT_CONNECTION_ERRORS.test(code)) {
          await this.#backoff(attempt, `Can't reach Traefik's API (${code})`);
          continue;
        }
        throw this.#unreachableError(code, attempt + 1, error);
      }

      if (REDIRECT_STATUSES.has(response.status)) {
        url = this.#followRedirect(url, response, ++redirects);
        attempt--;
        continue;
      }
      if (response.status >= 500 && attempt < this.#retries) {
        await this.#backoff(attempt, `Traefik's API answered ${response.status}`);
        continue;
      }
      if (response.status === 400 && pastEndOk) return undefined;
      if (!response.ok) throw this.#statusError(path, response, text, attempt + 1);

      const next = Number.parseInt(response.headers.get('x-next-page') ?? '', 10);
      return {
        text,
        nextPage: Number.isInteger(next) ? next : undefined,
        status: response.status,
        contentType: response.headers.get('content-type'),
      };
    }
  }

  #parse(path: string, page: Page): unknown {
    try {
      return parseTraefikJson(page.text);
    } catch (error) {
      const type = page.contentType?.split(';')[0] || 'no content type';
      throw new TraefikApiError(
        `Traefik's API at ${this.displayUrl} answered ${path} with ${type}, not JSON: the URL points at something else (a login page, a proxy, the dashboard).`,
        'not-json',
        {
          suggestions: [
            'Point --api-url (or traefik.apiUrl) at the address the dashboard is served on, e.g. https://traefik.dev.example.com.',
          ],
          status: page.status,
          cause: error,
        },
      );
    }
  }

  async #backoff(attempt: number, reason: string): Promise<void> {
    const delay = this.#backoffMs * 2 ** attempt * (0.5 + Math.random() / 2);
    this.#onEvent?.({
      type: 'info',
      message: `${reason}; retrying in ${Math.round(delay)}ms (attempt ${attempt + 2} of ${this.#retries + 1}).`,
    });
    await sleep(delay, undefined, this.#signal ? { signal: this.#signal } : undefined);
  }

  #followRedirect(from: string, response: Response, redirects: number): string {
    const location = response.headers.get('location');
    const source = new URL(from);
    const target = location === null ? undefined : new URL(location, source);
    // Credentials only follow to the same host, and never from https down to http.
    const safe =
      target !== undefined &&
      target.hostname === source.hostname &&
      !(source.protocol === 'https:' && target.protocol === 'http:');
    if (!safe || redirects > MAX_REDIRECTS) {
      throw new TraefikApiError(
        `Traefik's API at ${this.displayUrl} redirects to ${target === undefined ? 'nowhere' : `${target.origin}${target.pathname}`}.`,
        'redirect',
        {
          suggestions: [
            target === undefined
              ? 'Check the API URL.'
              : `Use the address it redirects to as --api-url (or traefik.apiUrl): ${target.origin}.`,
          ],
          status: response.status,
        },
      );
    }
    return target.href;
  }

  #timeoutError(path: string, cause: unknown): TraefikApiError {
    return new TraefikApiError(
      `Traefik's API at ${this.displayUrl} doesn't answer ${path} within ${formatSeconds(this.#timeoutMs)}.`,
      'timeout',
      {
        suggestions: [
          'Check that the URL is reachable from this machine (VPN, security groups, load balancer).',
          'Run the command again; Traefik answers slowly while it starts.',
        ],
        cause,
      },
    );
  }

  #unreachableError(code: string, attempts: number, cause: unknown): TraefikApiError {
    const tries = attempts > 1 ? ` after ${attempts} attempts` : '';
    const tls = /CERT|TLS|SSL|SELF_SIGNED|UNABLE_TO/.test(code);
    return new TraefikApiError(
      `Can't reach Traefik's API at ${this.displayUrl}${this.#via} (${code})${tries}.`,
      'unreachable',
      {
        suggestions: tls
          ? ["The server's TLS certificate is not trusted here; check the certificate of the API host."]
          : [
              this.#via === ''
                ? 'Check the URL (--api-url or traefik.apiUrl) and your network connection.'
                : "Check TRAEFIKCTL_CONNECT_TO: it should be the address of the env's load balancer or Traefik entry point.",
              'Check that the cluster runs: `traefikctl cluster status`.',
            ],
        cause,
      },
    );
  }

  #statusError(path: string, response: Response, text: string, attempts: number): TraefikApiError {
    const status = response.status;
    const label = `${status}${response.statusText ? ` ${response.statusText}` : ''}`;
    const message = errorMessage(text);
    switch (status) {
      case 401:
        return new TraefikApiError(
          this.#authorization === undefined
            ? `Traefik's API at ${this.displayUrl} asks for a password (401 Unauthorized), and none was given.`
            : `Traefik's API at ${this.displayUrl} refuses the password of user ${this.#username ?? 'admin'} (401 Unauthorized).`,
          'unauthorized',
          {
            suggestions: [
              ...this.#hints,
              "Check traefik.username in the configuration: it is the API's basic auth user.",
            ],
            status,
          },
        );
      case 403:
        return new TraefikApiError(
          `Traefik's API at ${this.displayUrl} forbids access (403 Forbidden).`,
          'forbidden',
          {
            suggestions: [
              'A middleware in front of the API (an IP allow list, forward auth) refuses this machine; check the router of api@internal.',
            ],
            status,
          },
        );
      case 404:
        return new TraefikApiError(
          `Traefik's API at ${this.displayUrl} has nothing at ${path} (404${message === undefined ? '' : `: ${message}`}).`,
          'not-found',
          {
            suggestions: [
              'Check the URL: it should be the address the dashboard is served on, e.g. https://traefik.dev.example.com.',
              "Check that the API is enabled (`api` in Traefik's static configuration).",
            ],
            status,
          },
        );
      case 400:
        return new TraefikApiError(
          `Traefik's API at ${this.displayUrl} rejects ${path} (400${message === undefined ? '' : `: ${message}`}).`,
          'bad-request',
          {
            suggestions: ['This looks like a bug in traefikctl; rerun with DEBUG=traefikctl* for details.'],
            status,
          },
        );
      default:
        if (status >= 500) {
          const tries = attempts > 1 ? ` (after ${attempts} attempts)` : '';
          return new TraefikApiError(
            `Traefik's API at ${this.displayUrl} answers ${label}${tries}.`,
            'server-error',
            {
              suggestions: [
                'Traefik or the load balancer in front of it is failing or restarting; check `traefikctl cluster status`.',
                'Run the command again in a minute.',
              ],
              status,
            },
          );
        }
        return new TraefikApiError(
          `Traefik's API at ${this.displayUrl} answers ${path} with ${label}.`,
          'unexpected-status',
          {
            suggestions: ['Check that the URL points at Traefik itself, not at a proxy in front of it.'],
            status,
          },
        );
    }
  }
}

/**
 * The items of the pages in order, each name once (its newest version, at its first place), unnamed
 * ones last. Traefik sorts its lists by name, so names that only ever increase can't repeat: then
 * the pages are simply concatenated, without a map of every name (a tenth of the read at 10,000).
 */
export function uniqueByName<T extends { name?: string | undefined }>(pages: readonly (readonly T[])[]): T[] {
  const all: T[] = [];
  let unnamed: T[] | undefined;
  let last: string | undefined;
  let increasing = true;
  for (const items of pages) {
    for (const item of items) {
      const name = item.name;
      if (name === undefined) {
        (unnamed ??= []).push(item);
        continue;
      }
      if (last !== undefined && !(last < name)) increasing = false;
      last = name;
      all.push(item);
    }
  }
  if (!increasing) {
    const byName = new Map<string, T>();
    for (const item of all) byName.set(item.name as string, item);
    all.length = 0;
    for (const item of byName.values()) all.push(item);
  }
  if (unnamed !== undefined) for (const item of unnamed) all.push(item);
  return all;
}

/** `name@provider` as a path segment: `/` and spaces escaped, `@` kept (shared/notes/traefik.md §2.2). */
function pathName(name: string): string {
  return encodeURIComponent(name).replaceAll('%40', '@');
}

/** The `message` of a Traefik error body (JSON sent as text/plain), if it has one. */
function errorMessage(text: string): string | undefined {
  try {
    const parsed = errorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.message.trim() : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return (
    error instanceof Error &&
    (error.name === 'TimeoutError' || (error.cause as Error | undefined)?.name === 'TimeoutError')
  );
}

/** `ECONNREFUSED`, `ENOTFOUND`, `UND_ERR_SOCKET`... from fetch's `TypeError: fetch failed`. */
function connectionErrorCode(error: unknown): string {
  let current: unknown = error;
  // Without a code, the innermost message says most: fetch's own is always "fetch failed".
  let innermost = error instanceof Error ? error.message : String(error);
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== '') return code;
    if (current instanceof Error && current.message !== '') innermost = current.message;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return innermost;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key) => (typeof key === 'number' ? `[${key}]` : `.${String(key)}`))
    .join('')
    .replace(/^\./, '');
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
}
