import { createRoutesSource, type RoutesSource } from '../routes/source.js';
import type { TraefikClient } from '../traefik/client.js';
import { readLocalPassword } from './password.js';
import { notUp } from './cluster.js';
import type { LocalEnvironment } from '../env/local.js';
import { listLocalDeployments } from './list.js';

/**
 * `routes` of a `docker` env: the local Traefik's routers joined with the deployments read from the
 * containers' labels, exactly as on ECS with the `docker` provider in place of `ecs`.
 */
export async function openLocalRoutesSource(
  local: LocalEnvironment,
  options: { includeInternal?: boolean } = {},
): Promise<RoutesSource> {
  const password = await readLocalPassword(local.passwordFile);
  if (password === undefined) throw notUp(local);
  const { TraefikClient: Client } = await import('../traefik/client.js');
  return createRoutesSource({
    env: local.env,
    provider: 'docker',
    client: (signal?: AbortSignal): TraefikClient =>
      new Client({
        apiUrl: local.apiUrl,
        username: local.username,
        password,
        connectTo: local.connectTo,
        signal,
      }),
    deployments: () => listLocalDeployments(local),
    // The engine answers in milliseconds: a watch shows a new deployment at its next refresh.
    deploymentsMaxAgeMs: 2_000,
    ...(options.includeInternal === undefined ? {} : { includeInternal: options.includeInternal }),
  });
}
