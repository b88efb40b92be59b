import { z } from 'zod';

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
const errors = z
  .union([z.array(z.string()), z.string()])
  .transform((value) => (typeof value === 'string' ? [value] : value));

/**
 * int64 on the wire: internal routers use values near 2^63 that JSON.parse rounds. Large ones reach
 * us as their source text (see `parseTraefikJson`), small ones as numbers.
 */
const priority = z.union([z.number(), z.string()]);

const names = z.array(z.string());

export const tlsSchema = z.looseObject({
  options: z.string().optional(),
  certResolver: z.string().optional(),
  passthrough: z.boolean().optional(),
  domains: z
    .array(z.looseObject({ main: z.string().optional(), sans: names.optional() }))
    .nullable()
    .optional(),
});

const runtimeFields = {
  /** `name@provider`; absent in rawdata maps, whose keys are the names. */
  name: z.string().optional(),
  provider: z.string().optional(),
  /** enabled | warning | disabled (kept as a string so a future status doesn't break a listing). */
  status: z.string().optional(),
  error: errors.optional(),
};

export const routerSchema = z.looseObject({
  ...runtimeFields,
  entryPoints: names.nullable().optional(),
  middlewares: names.nullable().optional(),
  /** As configured: usually unqualified (`whoami-v2` means "same provider"). */
  service: z.string().optional(),
  rule: z.string().optional(),
  ruleSyntax: z.string().optional(),
  priority: priority.optional(),
  /** Since Traefik 3.6.10: the exact int64 as text. */
  priorityStr: z.string().optional(),
  tls: tlsSchema.nullable().optional(),
  using: names.nullable().optional(),
});
export type TraefikRouter = z.infer<typeof routerSchema>;

const serverSchema = z.looseObject({
  /** HTTP servers. */
  url: z.string().optional(),
  /** TCP and UDP servers. */
  address: z.string().optional(),
  weight: z.number().nullable().optional(),
  fenced: z.boolean().optional(),
});

const weightedRef = z.looseObject({ name: z.string().optional(), weight: z.number().nullable().optional() });

export const serviceSchema = z.looseObject({
  ...runtimeFields,
  /** loadbalancer | weighted | mirroring | failover | highestrandomweight; absent for internal services. */
  type: z.string().optional(),
  loadBalancer: z
    .looseObject({
      servers: z.array(serverSchema).nullable().optional(),
      strategy: z.string().optional(),
      passHostHeader: z.boolean().nullable().optional(),
    })
    .optional(),
  weighted: z.looseObject({ services: z.array(weightedRef).nullable().optional() }).optional(),
  highestRandomWeight: z.looseObject({ services: z.array(weightedRef).nullable().optional() }).optional(),
  mirroring: z
    .looseObject({
      service: z.string().optional(),
      mirrors: z
        .array(z.looseObject({ name: z.string().optional(), percent: z.number().optional() }))
        .nullable()
        .optional(),
    })
    .optional(),
  failover: z.looseObject({ service: z.string().optional(), fallback: z.string().optional() }).optional(),
  /** Server URL (HTTP) or address (TCP) -> UP | DOWN. UDP services have none. */
  serverStatus: z.record(z.string(), z.string()).nullable().optional(),
  usedBy: names.nullable().optional(),
});
export type TraefikService = z.infer<typeof serviceSchema>;

export const middlewareSchema = z.looseObject({
  ...runtimeFields,
  type: z.string().optional(),
  usedBy: names.nullable().optional(),
});
export type TraefikMiddleware = z.infer<typeof middlewareSchema>;

const countsSchema = z.looseObject({
  total: z.number().optional(),
  warnings: z.number().optional(),
  errors: z.number().optional(),
});
export type TraefikCounts = z.infer<typeof countsSchema>;

const sectionSchema = z.looseObject({
  routers: countsSchema.optional(),
  services: countsSchema.optional(),
  middlewares: countsSchema.optional(),
});

export const overviewSchema = z.looseObject({
  http: sectionSchema.optional(),
  tcp: sectionSchema.optional(),
  udp: sectionSchema.optional(),
  certificates: countsSchema.optional(),
  features: z.record(z.string(), z.unknown()).optional(),
  /** Static-config struct field names: the ECS provider shows up as `Ecs`. */
  providers: names.nullable().optional(),
});
export type TraefikOverview = z.infer<typeof overviewSchema>;

/** `/api/version`: note the capitalised keys. */
export const versionSchema = z.looseObject({
  Version: z.string().optional(),
  Codename: z.string().optional(),
  startDate: z.string().optional(),
});
export type TraefikVersion = z.infer<typeof versionSchema>;

export const entryPointSchema = z.looseObject({
  name: z.string().optional(),
  address: z.string().optional(),
});
export type TraefikEntryPoint = z.infer<typeof entryPointSchema>;

/** `/api/rawdata`: maps keyed by qualified name, items without `name`/`provider`/`type`. */
export const rawDataSchema = z.looseObject({
  routers: z.record(z.string(), routerSchema).nullable().optional(),
  middlewares: z.record(z.string(), middlewareSchema).nullable().optional(),
  services: z.record(z.string(), serviceSchema).nullable().optional(),
  tcpRouters: z.record(z.string(), routerSchema).nullable().optional(),
  tcpMiddlewares: z.record(z.string(), middlewareSchema).nullable().optional(),
  tcpServices: z.record(z.string(), serviceSchema).nullable().optional(),
  udpRouters: z.record(z.string(), routerSchema).nullable().optional(),
  udpServices: z.record(z.string(), serviceSchema).nullable().optional(),
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
