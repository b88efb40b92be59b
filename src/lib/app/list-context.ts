import { AwsClients } from '../aws/clients.js';
import { readClusterOutputs, type ClusterOutputs } from '../cluster/outputs.js';
import { APP_NAME } from '../config/app-name.js';
import { loadContext, type GlobalOptions, type ResolvedContext } from '../config/resolve.js';
import { usageError } from '../errors.js';

/**
 * What `app urls`, `app destroy`, `app prune` and `app logs` start from: the configuration resolved
 * for the env, AWS clients for its region and profile, and the outputs of its `traefikctl-<env>`
 * stack (the cluster to look in, its log group, Traefik's API). A missing stack is a UserError that
 * says to run `cluster up`.
 */
export interface AppEnvironment {
  context: ResolvedContext;
  clients: AwsClients;
  outputs: ClusterOutputs;
}

export interface OpenAppEnvironmentOptions {
  cwd: string;
  global: GlobalOptions;
  /** The app argument, checked for shape only: an app removed from the config may still be deployed. */
  app?: string | undefined;
}

/** Opens the env; the caller destroys `clients` when done. */
export async function openAppEnvironment(options: OpenAppEnvironmentOptions): Promise<AppEnvironment> {
  if (options.app !== undefined) checkAppName(options.app);
  const context = await loadContext(options.cwd, options.global);
  const clients = new AwsClients({ region: context.region, profile: context.profile });
  try {
    const outputs = await readClusterOutputs(clients, context.env);
    return { context, clients, outputs };
  } catch (error) {
    await clients.destroy();
    throw error;
  }
}

export function checkAppName(app: string): void {
  if (APP_NAME.test(app)) return;
  throw usageError(
    `The app name ${JSON.stringify(app)} is not valid: it must be a lowercase name such as whoami.`,
    ['Use lowercase letters, digits and dashes, starting with a letter (at most 40 characters).'],
    'APP_INVALID',
  );
}
