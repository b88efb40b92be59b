import { setTimeout as sleep } from 'node:timers/promises';

import { z } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

import { debug, since } from '../debug.js';
import { formatDuration } from '../duration.js';
import { ExitCode, UserError } from '../errors.js';
import {
  hasUrlCredentials,
  redactUrl,
  URL_CREDENTIALS_REASON,
  urlCredentialsSuggestions,
} from './api-url.js';
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
  /**
   * Basic auth user; only sent together with a password. Credentials in `apiUrl` itself are
   * refused (src/lib/traefik/api-url.ts says why).
   */
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
  /** Pages of one list before giving up (an API that always announces a next page). */
  maxPages?: number;
  /** Bytes of one answer before giving up. */
  maxResponseBytes?: number;
  /** Bytes of all the pages of one list before giving up. */
  maxListBytes?: number;
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
  | 'url-credentials'
  | 'too-large'
  | 'too-many-pages'
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
      exitCode: failure === 'bad-url' || failure === 'url-credentials' ? ExitCode.Usage : ExitCode.Failure,
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
/*
 * Limits for an API that misbehaves (a proxy in front of it, something else on its address, a list
 * that announces a next page forever), far above what Traefik sends: 10,000 routers (README
 * "Performance") are 10 pages of 1,000, each about 0.3 MiB, under 3 MiB a list. These allow a
 * hundred times as many pages, 200 times the bytes of such a page per answer, and 100 times such a
 * list. Past them, an error says which limit was reached instead of a command that never ends.
 */
export const MAX_PAGES = 1000;
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
export const MAX_LIST_BYTES = 256 * 1024 * 1024;
const MAX_REDIRECTS = 5;
// Prometheus' text format (0.0.4), which every Traefik v3 serves; never the protobuf one.
const PROMETHEUS_ACCEPT = 'text/plain;version=0.0.4;q=1,*/*;q=0.1';
// Redirects are followed here, not by fetch, so that the password only ever goes to the API's own
// origin (scheme, host and port), as curl does since 7.83.
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
// Connection failures that another attempt can't fix: a wrong host name, a bad certificate.
const PERMANENT_CONNECTION_ERRORS = /^(ENOTFOUND|ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/;

/** An answer whose body is read but not yet parsed, so that the next page can be asked for first. */
interface Page {
  text: string;
  /** Bytes read, for the budget of a list. */
  bytes: number;
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
  /** The API's origin: the only one the password goes to. */
  readonly #origin: string;
  readonly #authorization: string | undefined;
  readonly #username: string | undefined;
  readonly #timeoutMs: number;
  readonly #retries: number;
  readonly #backoffMs: number;
  readonly #perPage: number;
  readonly #maxPages: number;
  readonly #maxResponseBytes: number;
  readonly #maxListBytes: number;
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
        `The Traefik API URL ${JSON.stringify(redactUrl(options.apiUrl))} is not a URL.`,
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
    if (hasUrlCredentials(options.apiUrl)) {
      throw new TraefikApiError(
        `The Traefik API URL ${redactUrl(options.apiUrl)} has a user name and password in it: ${URL_CREDENTIALS_REASON}`,
        'url-credentials',
        { suggestions: urlCredentialsSuggestions('the URL (--api-url or traefik.apiUrl)') },
      );
    }
    const prefix = url.pathname.replace(/\/+$/, '').replace(/\/api$/, '');
    this.#origin = url.origin;
    this.#base = `${url.origin}${prefix}`;
    this.displayUrl = this.#base;
    const password = options.password;
    const username = options.username ?? 'admin';
    this.#username = password === undefined ? undefined : username;
    this.#authorization =
      password === undefined
        ? undefined
        : `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#retries = options.retries ?? DEFAULT_RETRIES;
    this.#backoffMs = options.backoffMs ?? DEFAULT_BACKOFF_MS;
    this.#perPage = options.perPage ?? DEFAULT_PER_PAGE;
    this.#maxPages = options.maxPages ?? MAX_PAGES;
    this.#maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
    this.#maxListBytes = options.maxListBytes ?? MAX_LIST_BYTES;
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

  /**
   * Traefik's Prometheus metrics (`/metrics`, served through the API's router by `cluster up`) as
   * text, with the same credentials, limits, retries and connect-to address as the API.
   */
  async metricsText(): Promise<string> {
    const page = await this.#get('/metrics', {}, false, undefined, PROMETHEUS_ACCEPT);
    return page?.text ?? '';
  }

  async #one<S extends z.ZodMiniType>(path: string, schema: S): Promise<z.infer<S> | undefined> {
    try {
      return await this.#object(path, schema);
    } catch (error) {
      if (error instanceof TraefikApiError && error.failure === 'not-found') return undefined;
      throw error;
    }
  }

  async #object<S extends z.ZodMiniType>(path: string, schema: S): Promise<z.infer<S>> {
    const page = await this.#get(path, {}, false);
    return this.#validate(path, schema, page === undefined ? undefined : this.#parse(path, page));
  }

  /**
   * Every item of a paginated list, each name once. Pages are read until `X-Next-Page` stops
   * growing (Traefik sends `1` on the last page). The list may change between two pages: a name seen
   * twice keeps its newest version, and a 400 past the end means the list shrank meanwhile.
   * Each page is parsed once; `fast` checks it in place, zod only explains a page it refuses.
   * A list that goes on past `maxPages` pages or `maxListBytes` bytes is an error, not a wait forever.
   */
  async #list<S extends z.ZodMiniType<{ name?: string | undefined }>>(
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
      let bytes = 0;
      for (let page = 1, read = 1; ; read++) {
        const answer = await pending;
        if (answer === undefined) break;
        bytes += answer.bytes;
        if (bytes > this.#maxListBytes) throw this.#listTooLarge(path, read);
        const next = answer.nextPage !== undefined && answer.nextPage > page ? answer.nextPage : undefined;
        if (next !== undefined && read >= this.#maxPages) throw this.#tooManyPages(path, read, next);
        // Parsing and checking a page of 1,000 items takes about as long as the server's next
        // answer: ask for the next page first, so that the two overlap.
        if (next !== undefined) {
          pending = this.#get(path, query(next), true, ahead.signal);
          pending.catch(() => undefined);
        }
        const json = this.#parse(path, answer);
        const items =
          (fast === undefined ? undefined : fastList<z.infer<S>>(json, fast)) ??
          this.#validate(path, z.array(schema), json);
        pages.push(items);
        if (items.length === 0 || next === undefined) break;
        page = next;
      }
    } finally {
      ahead.abort();
    }
    return uniqueByName(pages);
  }

  #validate<S extends z.ZodMiniType>(path: string, schema: S, json: unknown): z.infer<S> {
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    // zod/mini carries no messages of its own: its English ones, for the one page that needs them.
    const issue = schema.safeParse(json, { error: en().localeError }).error?.issues[0];
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
    accept = 'application/json',
  ): Promise<Page | undefined> {
    const search = new URLSearchParams(query).toString();
    let url = `${this.#base}${path}${search === '' ? '' : `?${search}`}`;
    for (let attempt = 0, redirects = 0; ; attempt++) {
      let response: Response;
      let body: Body;
      let started = performance.now();
      try {
        this.#signal?.throwIfAborted();
        cancel?.throwIfAborted();
        const signals = [AbortSignal.timeout(this.#timeoutMs)];
        if (this.#signal) signals.push(this.#signal);
        if (cancel) signals.push(cancel);
        const signal = signals.length === 1 ? (signals[0] as AbortSignal) : AbortSignal.any(signals);
        const send = await this.#fetch();
        started = performance.now();
        response = await send(url, {
          headers: {
            accept,
            // Only to the API's own origin: a redirect elsewhere is refused before it is followed.
            ...(this.#authorization === undefined || new URL(url).origin !== this.#origin
              ? {}
              : { authorization: this.#authorization }),
          },
          redirect: 'manual',
          signal,
        });
        body = await readBody(response, this.#maxResponseBytes);
        // The URL never holds credentials (the constructor refuses them); the Authorization header isn't shown.
        debug(
          'traefik',
          `GET ${url} ${response.status} in ${since(started)}${body.tooLarge ? ' (too large)' : ` (${body.bytes} bytes)`}`,
        );
      } catch (error) {
        debug('traefik', `GET ${url} failed: ${connectionErrorCode(error)} in ${since(started)}`);
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

      if (body.tooLarge) throw this.#responseTooLarge(path);
      const text = body.text;
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
        bytes: body.bytes,
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
    let target: URL | undefined;
    try {
      target = location === null ? undefined : new URL(location, from);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      throw new TraefikApiError(
        `Traefik's API at ${this.displayUrl} answers ${response.status} (a redirect) without a valid Location.`,
        'redirect',
        {
          suggestions: ['Check that the URL points at Traefik itself, not at a proxy in front of it.'],
          status: response.status,
        },
      );
    }
    const shown = `${target.origin}${target.pathname}`;
    if (target.origin !== this.#origin) {
      // Another scheme, host or port is another server as far as the password is concerned.
      const why =
        this.#authorization === undefined
          ? 'traefikctl reads the API only at the address it was given'
          : 'traefikctl sends the API password only to the address it was given';
      throw new TraefikApiError(
        `Traefik's API at ${this.displayUrl} redirects to another address, ${shown}: ${why}.`,
        'redirect',
        {
          suggestions: [`If ${target.origin} is where the API is, use it as --api-url (or traefik.apiUrl).`],
          status: response.status,
        },
      );
    }
    if (redirects > MAX_REDIRECTS) {
      throw new TraefikApiError(
        `Traefik's API at ${this.displayUrl} redirects more than ${MAX_REDIRECTS} times in a row (the last time to ${shown}): a redirect loop.`,
        'redirect',
        {
          suggestions: [
            'Check the redirects of the load balancer or proxy in front of Traefik, and the middlewares of the router of api@internal.',
            'Point --api-url (or traefik.apiUrl) at the address the dashboard is served on, e.g. https://traefik.dev.example.com.',
          ],
          status: response.status,
        },
      );
    }
    // Same origin: the password goes along, in the header; never as credentials in the URL.
    target.username = '';
    target.password = '';
    return target.href;
  }

  #responseTooLarge(path: string): TraefikApiError {
    return new TraefikApiError(
      `Traefik's API at ${this.displayUrl} answers ${path} with more than ${formatBytes(this.#maxResponseBytes)}: traefikctl reads at most ${formatBytes(this.#maxResponseBytes)} per answer.`,
      'too-large',
      {
        suggestions: [
          'Traefik answers with far less; check that the URL points at Traefik itself, not at a proxy or another server.',
        ],
      },
    );
  }

  #listTooLarge(path: string, pages: number): TraefikApiError {
    return new TraefikApiError(
      `Traefik's API at ${this.displayUrl} answers ${path} with more than ${formatBytes(this.#maxListBytes)} in ${pages.toLocaleString('en-US')} page${pages === 1 ? '' : 's'}: traefikctl reads at most ${formatBytes(this.#maxListBytes)} per list.`,
      'too-large',
      {
        suggestions: [
          'Traefik answers with far less; check that the URL points at Traefik itself, not at a proxy or another server.',
        ],
      },
    );
  }

  #tooManyPages(path: string, pages: number, next: number): TraefikApiError {
    return new TraefikApiError(
      `Traefik's API at ${this.displayUrl} still announces another page of ${path} (X-Next-Page: ${next}) after ${pages.toLocaleString('en-US')} pages of up to ${this.#perPage.toLocaleString('en-US')} items: traefikctl reads at most ${this.#maxPages.toLocaleString('en-US')} pages per list.`,
      'too-many-pages',
      {
        suggestions: [
          'Traefik sends X-Next-Page: 1 on the last page; check that the URL points at Traefik itself, not at a proxy or another server.',
        ],
      },
    );
  }

  #timeoutError(path: string, cause: unknown): TraefikApiError {
    return new TraefikApiError(
      `Traefik's API at ${this.displayUrl} doesn't answer ${path} within ${formatDuration(this.#timeoutMs)}.`,
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
        // The hints say where the password came from, or why there was none (src/lib/traefik/access.ts).
        return this.#authorization === undefined
          ? new TraefikApiError(
              `Traefik's API at ${this.displayUrl} asks for a password (401 Unauthorized), and none was given.`,
              'unauthorized',
              {
                suggestions:
                  this.#hints.length > 0
                    ? this.#hints
                    : ['Set TRAEFIKCTL_TRAEFIK_PASSWORD, or traefik.passwordParameter in the configuration.'],
                status,
              },
            )
          : new TraefikApiError(
              `Traefik's API at ${this.displayUrl} refuses the password of user ${this.#username ?? 'admin'} (401 Unauthorized).`,
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

/** An answer's body, read up to a limit (fetch's `text()` reads any size). */
type Body = { tooLarge: false; text: string; bytes: number } | { tooLarge: true };

async function readBody(response: Response, limit: number): Promise<Body> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    return { tooLarge: true };
  }
  if (response.body === null) return { tooLarge: false, text: '', bytes: 0 };
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > limit) {
      await reader.cancel().catch(() => undefined);
      return { tooLarge: true };
    }
    chunks.push(value);
  }
  // As `text()` decodes: UTF-8, a byte order mark dropped.
  return { tooLarge: false, text: new TextDecoder().decode(Buffer.concat(chunks, bytes)), bytes };
}

/** `64 MiB`, `512 KiB`, `300 B`. */
function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${units[unit]}`;
}
