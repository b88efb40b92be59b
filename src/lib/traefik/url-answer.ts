/**
 * What "the URL answers" means, for `app deploy`'s probe and `app urls --check` alike: something
 * behind Traefik (the app) gave a response below 500. Its own 4xx counts (a 404 for `/`, a login
 * wall's 401): the route works and the app is up. Two answers don't count:
 * - any 5xx: Traefik's 502/503/504 when no server is up or healthy, or the app failing;
 * - Traefik's own 404, when no router matches the host: the route isn't there (yet).
 */

/** Traefik's body when no router matches (Go's http.NotFound), exactly. */
export const TRAEFIK_NOT_FOUND_BODY = '404 page not found\n';

/**
 * The headers of Traefik's own 404 (Go's http.Error) and of the connection. Any other header (a
 * Server, Cache-Control, Set-Cookie, ETag, X-Powered-By...) comes from an app: the 404 is the app's.
 */
const TRAEFIK_NOT_FOUND_HEADERS = new Set([
  'content-type',
  'x-content-type-options',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
]);

/** The bytes of a body worth reading to tell Traefik's 404 from an app's: a little more than it. */
export const ANSWER_BODY_BYTES = 64;

export interface HttpAnswer {
  status: number;
  /** The start of the body (at least ANSWER_BODY_BYTES of it, when there is that much). */
  body: string;
  /** Header names as Node gives them (lowercase); values are not looked at. */
  headers: Readonly<Record<string, unknown>>;
}

/** Whether the response is Traefik's own 404: no router matched the request's host. */
export function isTraefikNotFound(answer: HttpAnswer): boolean {
  return (
    answer.status === 404 &&
    answer.body === TRAEFIK_NOT_FOUND_BODY &&
    Object.keys(answer.headers).every((name) => TRAEFIK_NOT_FOUND_HEADERS.has(name.toLowerCase()))
  );
}

/** Whether the URL answers (see the top of this file): the one rule both probes use. */
export function urlAnswers(answer: HttpAnswer): boolean {
  return answer.status > 0 && answer.status < 500 && !isTraefikNotFound(answer);
}
