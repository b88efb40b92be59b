import { buildEnvStatus, type EnvStatusSource } from '../status/env.js';
import { localTraefikClient } from './cluster.js';
import { inspectContainer, inspectNetwork } from './engine.js';
import { localUrl, type LocalEnvironment } from '../env/local.js';
import { listLocalDeployments, readLocalTraefik } from './list.js';

/**
 * `status` of a `docker` env, in the shape of the ECS one (src/lib/status/env.ts builds it): the
 * network and the Traefik container stand in for the stack and Traefik's ECS service.
 */
export function openLocalEnvStatus(local: LocalEnvironment, now: () => number = Date.now): EnvStatusSource {
  return {
    env: local.env,
    close: () => Promise.resolve(),
    async read() {
      const [network, traefik, deployments, api, version] = await Promise.all([
        inspectNetwork(local.network),
        inspectContainer(local.traefikContainer),
        listLocalDeployments(local),
        readLocalTraefik(local),
        localTraefikClient(local, { timeoutMs: 5_000, retries: 0 })
          .then((client) => client.version())
          .then((answer) => answer.Version)
          .catch(() => undefined),
      ]);
      const running = traefik?.State.Running === true;
      return buildEnvStatus({
        env: local.env,
        now: now(),
        stack: {
          name: `${local.traefikContainer} on network ${local.network}`,
          status: network === undefined ? 'network missing' : (traefik?.State.Status ?? 'container missing'),
        },
        clusterHealthy: network !== undefined && running,
        outputs: {
          cluster: local.network,
          apiUrl: local.apiUrl,
          urlPattern: localUrl(local, `{app}-{tag}.${local.env}.${local.context.domain ?? 'localhost'}`),
        },
        traefikTasks: { running: running ? 1 : 0, desired: 1 },
        deployments,
        traefik: {
          apiUrl: local.apiUrl,
          version,
          state: api.routes,
          ...(api.readout.status === 'ok' ? {} : { problem: api.readout.message }),
        },
        provider: 'docker',
        urlFor: (host) => localUrl(local, host),
      });
    },
  };
}
