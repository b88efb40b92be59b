/**
 * The router and service schemas of schemas.ts as plain predicates, for the hot path: a list of
 * 10,000 routers is checked in place in a few milliseconds, where zod's parse copies every object
 * (ten times slower, and the watch view redraws meanwhile). Same rules: unknown fields pass, any
 * field may be absent, a present field must have the right type. A property test holds both
 * definitions to the same answers; when a predicate says no, the client asks zod for the message.
 *
 * Written out field by field rather than built from combinators: every router of a page has the
 * same fields, so each `value.field` read stays a monomorphic load, and no closure or array is
 * made per item (the combinator version took a third of the time of parsing the same page).
 */

type Fields = Record<string, unknown>;

const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const optString = (v: unknown): boolean => v === undefined || typeof v === 'string';
const optBoolean = (v: unknown): boolean => v === undefined || typeof v === 'boolean';
const optNumber = (v: unknown): boolean => v === undefined || isNumber(v);
const optNullNumber = (v: unknown): boolean => v === undefined || v === null || isNumber(v);

function isNames(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== 'string') return false;
  return true;
}

const optNames = (v: unknown): boolean => v === undefined || isNames(v);
const optNullNames = (v: unknown): boolean => v === undefined || v === null || isNames(v);

/** Absent, null, or an array whose every item passes `check`. */
function optNullList(v: unknown, check: (item: unknown) => boolean): boolean {
  if (v === undefined || v === null) return true;
  if (!Array.isArray(v)) return false;
  for (const item of v) if (!check(item)) return false;
  return true;
}

/** name, provider, status and error: what routers and services share. */
function hasRuntimeFields(v: Fields): boolean {
  const error = v.error;
  return (
    optString(v.name) &&
    optString(v.provider) &&
    optString(v.status) &&
    (error === undefined || typeof error === 'string' || isNames(error))
  );
}

const isDomain = (v: unknown): boolean => isObject(v) && optString(v.main) && optNames(v.sans);

function isTls(v: unknown): boolean {
  return (
    isObject(v) &&
    optString(v.options) &&
    optString(v.certResolver) &&
    optBoolean(v.passthrough) &&
    optNullList(v.domains, isDomain)
  );
}

export function isRouter(v: unknown): boolean {
  if (!isObject(v) || !hasRuntimeFields(v)) return false;
  const priority = v.priority;
  const tls = v.tls;
  return (
    optNullNames(v.entryPoints) &&
    optNullNames(v.middlewares) &&
    optString(v.service) &&
    optString(v.rule) &&
    optString(v.ruleSyntax) &&
    (priority === undefined || typeof priority === 'string' || isNumber(priority)) &&
    optString(v.priorityStr) &&
    (tls === undefined || tls === null || isTls(tls)) &&
    optNullNames(v.using)
  );
}

const isServer = (v: unknown): boolean =>
  isObject(v) && optString(v.url) && optString(v.address) && optNullNumber(v.weight) && optBoolean(v.fenced);

function isLoadBalancer(v: unknown): boolean {
  if (!isObject(v)) return false;
  const passHostHeader = v.passHostHeader;
  return (
    optNullList(v.servers, isServer) &&
    optString(v.strategy) &&
    (passHostHeader === undefined || passHostHeader === null || typeof passHostHeader === 'boolean')
  );
}

const isWeightedRef = (v: unknown): boolean => isObject(v) && optString(v.name) && optNullNumber(v.weight);
const isWeighted = (v: unknown): boolean => isObject(v) && optNullList(v.services, isWeightedRef);
const isMirror = (v: unknown): boolean => isObject(v) && optString(v.name) && optNumber(v.percent);
const isMirroring = (v: unknown): boolean =>
  isObject(v) && optString(v.service) && optNullList(v.mirrors, isMirror);
const isFailover = (v: unknown): boolean => isObject(v) && optString(v.service) && optString(v.fallback);

/** Server URL -> UP | DOWN: any object whose values are all strings. */
function isStatusMap(v: unknown): boolean {
  if (!isObject(v)) return false;
  for (const status of Object.values(v)) if (typeof status !== 'string') return false;
  return true;
}

export function isService(v: unknown): boolean {
  if (!isObject(v) || !hasRuntimeFields(v)) return false;
  const serverStatus = v.serverStatus;
  return (
    optString(v.type) &&
    (v.loadBalancer === undefined || isLoadBalancer(v.loadBalancer)) &&
    (v.weighted === undefined || isWeighted(v.weighted)) &&
    (v.highestRandomWeight === undefined || isWeighted(v.highestRandomWeight)) &&
    (v.mirroring === undefined || isMirroring(v.mirroring)) &&
    (v.failover === undefined || isFailover(v.failover)) &&
    (serverStatus === undefined || serverStatus === null || isStatusMap(serverStatus)) &&
    optNullNames(v.usedBy)
  );
}

/**
 * The page as typed items, checked in place; undefined when any item fails (then zod says why).
 * Traefik 2.0's `error` string becomes a one-item array, as zod's transform makes it.
 */
export function fastList<T>(json: unknown, check: (item: unknown) => boolean): T[] | undefined {
  if (!Array.isArray(json)) return undefined;
  for (const item of json) if (!check(item)) return undefined;
  for (const item of json as Fields[]) if (typeof item.error === 'string') item.error = [item.error];
  return json as T[];
}
