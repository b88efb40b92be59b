import type { ResolvedContext } from '../config/resolve.js';
import { describeError } from '../errors.js';
import { fail, ok, skip, type CheckResult } from './checks.js';
import { localTraefikClient } from '../local/cluster.js';
import { inspectContainer } from '../local/engine.js';
import { localEnvironment } from '../env/local.js';

/**
 * `doctor` for an env of target `docker`: no AWS is needed; the cluster is the Traefik container on
 * traefikctl's network, and the API is asked with the password of its file. Never throws.
 */
export async function localDoctorChecks(context: ResolvedContext, timeoutMs: number): Promise<CheckResult[]> {
  const local = localEnvironment(context);
  const notNeeded = 'not needed: the env runs on the local Docker engine';
  const results: CheckResult[] = [skip('region', notNeeded), skip('credentials', notNeeded)];
  const up = `Start it with \`traefikctl cluster up --env ${local.env}\`.`;
  let running = false;
  try {
    const traefik = await inspectContainer(local.traefikContainer);
    running = traefik?.State.Running === true;
    results.push({
      ...(running
        ? ok(
            'cluster',
            `${local.traefikContainer} running on network ${local.network}, 127.0.0.1:${local.port}`,
          )
        : fail('cluster', `${local.traefikContainer} is ${traefik?.State.Status ?? 'missing'}`, up)),
      title: 'Local cluster',
    });
  } catch (error) {
    results.push({
      ...fail('cluster', describeError(error), 'Start Docker, then run `traefikctl doctor` again.'),
      title: 'Local cluster',
    });
  }
  if (!running) {
    results.push(skip('traefik', 'needs the local cluster'));
    return results;
  }
  try {
    const client = await localTraefikClient(local, { timeoutMs, retries: 0 });
    const version = await client.version();
    results.push(
      ok('traefik', `${local.apiUrl}: Traefik ${version.Version ?? ''}, password from ${local.passwordFile}`),
    );
  } catch (error) {
    results.push(
      fail(
        'traefik',
        describeError(error),
        `Run \`traefikctl cluster up --env ${local.env}\` to bring Traefik in step with its password.`,
      ),
    );
  }
  return results;
}
