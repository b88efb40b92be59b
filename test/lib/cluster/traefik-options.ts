/**
 * Traefik v3's static options for the families traefikctl uses on the command line, as Traefik's
 * reference spells them (lower case; `_name_` stands for an entry point name).
 *
 * Sources: shared/notes/traefik.md §1.1 (providers.ecs.*, providers.providersThrottleDuration),
 * §1.1 migration table and §2.1 (api.*, entryPoints.<name>.address, metrics.prometheus with
 * entryPoint/buckets/labels, ping); the rest (accesslog.*, log.*, global.*, the remaining
 * entrypoints.*, ping.*, metrics.prometheus.*) from the reference that Traefik generates from its
 * code, docs/content/reference/install-configuration/configuration-options.md at tag v3.7.9
 * (d0bd2ec198533d760c1abfc74b98033d6d92d039), the tag notes/traefik.md reads.
 */
export const TRAEFIK_V3_STATIC_OPTIONS: ReadonlySet<string> = new Set([
  // providers.ecs (notes §1.1)
  'providers.ecs',
  'providers.ecs.clusters',
  'providers.ecs.autodiscoverclusters',
  'providers.ecs.healthytasksonly',
  'providers.ecs.ecsanywhere',
  'providers.ecs.exposedbydefault',
  'providers.ecs.defaultrule',
  'providers.ecs.constraints',
  'providers.ecs.refreshseconds',
  'providers.ecs.region',
  'providers.ecs.accesskeyid',
  'providers.ecs.secretaccesskey',
  'providers.providersthrottleduration',
  // serversTransport (the reference above)
  'serverstransport.forwardingtimeouts.dialtimeout',
  // api (notes §2.1)
  'api',
  'api.insecure',
  'api.dashboard',
  'api.debug',
  'api.basepath',
  'api.disabledashboardad',
  'api.dashboardname',
  // ping
  'ping',
  'ping.entrypoint',
  'ping.manualrouting',
  'ping.terminatingstatuscode',
  // metrics.prometheus
  'metrics.prometheus',
  'metrics.prometheus.addentrypointslabels',
  'metrics.prometheus.addrouterslabels',
  'metrics.prometheus.addserviceslabels',
  'metrics.prometheus.buckets',
  'metrics.prometheus.entrypoint',
  'metrics.prometheus.manualrouting',
  // entry points
  'entrypoints._name_',
  'entrypoints._name_.address',
  'entrypoints._name_.asdefault',
  'entrypoints._name_.forwardedheaders.insecure',
  'entrypoints._name_.forwardedheaders.trustedips',
  'entrypoints._name_.forwardedheaders.connection',
  'entrypoints._name_.proxyprotocol.insecure',
  'entrypoints._name_.proxyprotocol.trustedips',
  'entrypoints._name_.transport.lifecycle.gracetimeout',
  'entrypoints._name_.transport.lifecycle.requestacceptgracetimeout',
  'entrypoints._name_.transport.respondingtimeouts.idletimeout',
  'entrypoints._name_.transport.respondingtimeouts.readtimeout',
  'entrypoints._name_.transport.respondingtimeouts.writetimeout',
  // access log
  'accesslog',
  'accesslog.addinternals',
  'accesslog.bufferingsize',
  'accesslog.fields.defaultmode',
  'accesslog.fields.headers.defaultmode',
  'accesslog.fields.queryparameters.defaultmode',
  'accesslog.filepath',
  'accesslog.filters.minduration',
  'accesslog.filters.retryattempts',
  'accesslog.filters.statuscodes',
  'accesslog.format',
  // Traefik's own log
  'log',
  'log.filepath',
  'log.format',
  'log.level',
  'log.nocolor',
  // global
  'global.checknewversion',
  'global.notappendxforwardedfor',
  'global.sendanonymoususage',
]);

/** `--entryPoints.web.address=:80` -> `entrypoints._name_.address` (Traefik's flags ignore case). */
export function referenceName(argument: string): string {
  const match = /^--([^=]+)(=.*)?$/s.exec(argument);
  if (match === null) throw new Error(`Not a --flag=value argument: ${argument}`);
  return (match[1] ?? '').toLowerCase().replace(/^entrypoints\.[^.]+/, 'entrypoints._name_');
}
