import { z } from 'zod/mini';

/**
 * What Traefik v3's API returns (shared/notes/traefik.md §2.3), read tolerantly: every field may be
 * absent (Go `omitempty`), unknown fields pass through (new ones keep arriving: `parentRefs`,
 * `observability`, `passiveHealthCheck`), and older servers lack `priorityStr`. Only what traefikctl
 * reads is typed; a value of the wrong type is still an error, so a proxy's HTML or another API
 * never passes for an empty Traefik.
 */

export const ROUTER_STATUSES = ['enabled', 'warning', 'disabled'] as const;
export type RouterStatus = (typeof ROUTER_STATUSES)[number];

/** `error` is an array of strings (singular key); Traefik v2.0-2.1 sent one string. */
const errors = z.pipe(
  z.union([z.array(z.string()), z.string()]),
  z.transform((value: string[] | string) => (typeof value === 'string' ? [value] : value)),
);

/**
 * int64 on the wire: internal routers use values near 2^63 that JSON.parse rounds. Large ones reach
 * us as their source text (see `parseTraefikJson`), small ones as numbers.
 */
const priority = z.union([z.number(), z.string()]);

const names = z.array(z.string());

/** A field Go may leave out (`omitempty`) or send as null (a nil slice or pointer). */
function absentOrNull<T extends z.ZodMiniType>(schema: T) {
  return z.optional(z.nullable(schema));
}

export const tlsSchema = z.looseObject({
  options: z.optional(z.string()),
  certResolver: z.optional(z.string()),
  passthrough: z.optional(z.boolean()),
  domains: absentOrNull(z.array(z.looseObject({ main: z.optional(z.string()), sans: z.optional(names) }))),
});

const runtimeFields = {
  /** `name@provider`; absent in rawdata maps, whose keys are the names. */
  name: z.optional(z.string()),
  provider: z.optional(z.string()),
  /** enabled | warning | disabled (kept as a string so a future status doesn't break a listing). */
  status: z.optional(z.string()),
  error: z.optional(errors),
};

export const routerSchema = z.looseObject({
  ...runtimeFields,
  entryPoints: absentOrNull(names),
  middlewares: absentOrNull(names),
  /** As configured: usually unqualified (`whoami-v2` means "same provider"). */
  service: z.optional(z.string()),
  rule: z.optional(z.string()),
  ruleSyntax: z.optional(z.string()),
  priority: z.optional(priority),
  /** Since Traefik 3.6.10: the exact int64 as text. */
  priorityStr: z.optional(z.string()),
  tls: absentOrNull(tlsSchema),
  using: absentOrNull(names),
});
export type TraefikRouter = z.infer<typeof routerSchema>;

const serverSchema = z.looseObject({
  /** HTTP servers. */
  url: z.optional(z.string()),
  /** TCP and UDP servers. */
  address: z.optional(z.string()),
  weight: absentOrNull(z.number()),
  fenced: z.optional(z.boolean()),
});

const weightedRef = z.looseObject({ name: z.optional(z.string()), weight: absentOrNull(z.number()) });

export const serviceSchema = z.looseObject({
  ...runtimeFields,
  /** loadbalancer | weighted | mirroring | failover | highestrandomweight; absent for internal services. */
  type: z.optional(z.string()),
  loadBalancer: z.optional(
    z.looseObject({
      servers: absentOrNull(z.array(serverSchema)),
      strategy: z.optional(z.string()),
      passHostHeader: absentOrNull(z.boolean()),
    }),
  ),
  weighted: z.optional(z.looseObject({ services: absentOrNull(z.array(weightedRef)) })),
  highestRandomWeight: z.optional(z.looseObject({ services: absentOrNull(z.array(weightedRef)) })),
  mirroring: z.optional(
    z.looseObject({
      service: z.optional(z.string()),
      mirrors: absentOrNull(
        z.array(z.looseObject({ name: z.optional(z.string()), percent: z.optional(z.number()) })),
      ),
    }),
  ),
  failover: z.optional(z.looseObject({ service: z.optional(z.string()), fallback: z.optional(z.string()) })),
  /** Server URL (HTTP) or address (TCP) -> UP | DOWN. UDP services have none. */
  serverStatus: absentOrNull(z.record(z.string(), z.string())),
  usedBy: absentOrNull(names),
});
export type TraefikService = z.infer<typeof serviceSchema>;

export const middlewareSchema = z.looseObject({
  ...runtimeFields,
  type: z.optional(z.string()),
  usedBy: absentOrNull(names),
});
export type TraefikMiddleware = z.infer<typeof middlewareSchema>;

const countsSchema = z.looseObject({
  total: z.optional(z.number()),
  warnings: z.optional(z.number()),
  errors: z.optional(z.number()),
});
export type TraefikCounts = z.infer<typeof countsSchema>;

const sectionSchema = z.looseObject({
  routers: z.optional(countsSchema),
  services: z.optional(countsSchema),
  middlewares: z.optional(countsSchema),
});

export const overviewSchema = z.looseObject({
  http: z.optional(sectionSchema),
  tcp: z.optional(sectionSchema),
  udp: z.optional(sectionSchema),
  certificates: z.optional(countsSchema),
  features: z.optional(z.record(z.string(), z.unknown())),
  /** Static-config struct field names: the ECS provider shows up as `Ecs`. */
  providers: absentOrNull(names),
});
export type TraefikOverview = z.infer<typeof overviewSchema>;

/** `/api/version`: note the capitalised keys. */
export const versionSchema = z.looseObject({
  Version: z.optional(z.string()),
  Codename: z.optional(z.string()),
  startDate: z.optional(z.string()),
});
export type TraefikVersion = z.infer<typeof versionSchema>;

export const entryPointSchema = z.looseObject({
  name: z.optional(z.string()),
  address: z.optional(z.string()),
});
export type TraefikEntryPoint = z.infer<typeof entryPointSchema>;

/** `/api/rawdata`: maps keyed by qualified name, items without `name`/`provider`/`type`. */
export const rawDataSchema = z.looseObject({
  routers: absentOrNull(z.record(z.string(), routerSchema)),
  middlewares: absentOrNull(z.record(z.string(), middlewareSchema)),
  services: absentOrNull(z.record(z.string(), serviceSchema)),
  tcpRouters: absentOrNull(z.record(z.string(), routerSchema)),
  tcpMiddlewares: absentOrNull(z.record(z.string(), middlewareSchema)),
  tcpServices: absentOrNull(z.record(z.string(), serviceSchema)),
  udpRouters: absentOrNull(z.record(z.string(), routerSchema)),
  udpServices: absentOrNull(z.record(z.string(), serviceSchema)),
});
export type TraefikRawData = z.infer<typeof rawDataSchema>;

export const errorBodySchema = z.looseObject({ message: z.string() });

/** `name@provider` -> `provider`; the API takes everything after the first `@`. */
export function providerOf(name: string): string | undefined {
  const at = name.indexOf('@');
  return at === -1 ? undefined : name.slice(at + 1);
}

/** A reference as written in a router or service (`whoami-v2`) qualified with the referrer's provider. */
export function qualify(reference: string, provider: string | undefined): string {
  return reference.includes('@') || provider === undefined ? reference : `${reference}@${provider}`;
}

/** A router's status as one of the three Traefik documents; an unknown one needs a look, like a warning. */
export function routerStatus(status: string | undefined): RouterStatus {
  if (status === undefined) return 'enabled';
  const lower = status.toLowerCase();
  return (ROUTER_STATUSES as readonly string[]).includes(lower) ? (lower as RouterStatus) : 'warning';
}

/** The exact priority as text: `priorityStr` when the server sends it, else the (lossless) raw value. */
export function priorityText(router: TraefikRouter): string | undefined {
  if (router.priorityStr !== undefined) return router.priorityStr;
  return router.priority === undefined ? undefined : String(router.priority);
}

const LARGE_PRIORITY = /"priority"\s*:\s*-?\d{16,}/;

/**
 * JSON.parse, except that a `priority` beyond 2^53 keeps its exact source text instead of being
 * rounded (rawdata has no `priorityStr`). The reviver only runs when such a number is present, so
 * the usual page costs one plain JSON.parse.
 */
export function parseTraefikJson(text: string): unknown {
  if (!LARGE_PRIORITY.test(text)) return JSON.parse(text);
  return JSON.parse(text, function (
    this: unknown,
    key: string,
    value: unknown,
    context?: { source?: string },
  ) {
    if (key === 'priority' && typeof value === 'number' && !Number.isSafeInteger(value)) {
      return context?.source ?? value;
    }
    return value;
  } as (this: unknown, key: string, value: unknown) => unknown);
}
