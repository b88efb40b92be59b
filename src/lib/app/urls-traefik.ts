import type { AwsClients } from '../aws/clients.js';
import { awsErrorName } from '../aws/errors.js';
import type { ClusterOutputs } from '../cluster/outputs.js';
import type { TraefikConfig } from '../config/schema.js';
import type { TraefikClientOptions } from '../traefik/client.js';

/**
 * Where Traefik's API is and how to log in, for `app urls`: `traefik.apiUrl` from the config, else
 * the `ApiUrl` output of the cluster stack; the password from TRAEFIKCTL_TRAEFIK_PASSWORD, else the
 * SSM SecureString the config or the stack names (read with the user's own AWS credentials).
 * Undefined when no API is configured: route status is then skipped, not an error.
 */
export async function traefikAccess(
  clients: AwsClients,
  options: {
    env: string;
    traefik: TraefikConfig;
    outputs: Pick<ClusterOutputs, 'apiUrl' | 'apiUsername' | 'passwordParameter'>;
    environment?: NodeJS.ProcessEnv | undefined;
  },
): Promise<TraefikClientOptions | undefined> {
  const { traefik, outputs } = options;
  const fromConfig = traefik.apiUrl !== undefined;
  const apiUrl = traefik.apiUrl ?? outputs.apiUrl;
  if (apiUrl === undefined) return undefined;
  const username = fromConfig ? traefik.username : (outputs.apiUsername ?? traefik.username);
  const parameter =
    traefik.passwordParameter ??
    outputs.passwordParameter ??
    `/traefikctl/${options.env}/traefik-api-password`;

  const fromEnv = (options.environment ?? process.env).TRAEFIKCTL_TRAEFIK_PASSWORD;
  if (fromEnv !== undefined && fromEnv !== '') {
    return {
      apiUrl,
      username,
      password: fromEnv,
      credentialHints: ['The password came from TRAEFIKCTL_TRAEFIK_PASSWORD: check its value.'],
    };
  }
  const password = await readParameter(clients, parameter);
  return {
    apiUrl,
    username,
    ...(password.value === undefined ? {} : { password: password.value }),
    credentialHints: [password.hint],
  };
}

async function readParameter(
  clients: AwsClients,
  name: string,
): Promise<{ value?: string | undefined; hint: string }> {
  try {
    const { GetParameterCommand } = await import('@aws-sdk/client-ssm');
    const answer = await (
      await clients.ssm()
    ).send(new GetParameterCommand({ Name: name, WithDecryption: true }));
    return {
      value: answer.Parameter?.Value,
      hint: `The password came from the SSM parameter ${name}: check that Traefik was deployed with its current version.`,
    };
  } catch (error) {
    // Traefik's answer (401) is the error the user sees; this says why no password was sent.
    const reason =
      awsErrorName(error) === 'ParameterNotFound'
        ? `the SSM parameter ${name} doesn't exist`
        : `the SSM parameter ${name} can't be read (${awsErrorName(error) ?? 'error'})`;
    return {
      hint: `No password was sent: ${reason}. Set TRAEFIKCTL_TRAEFIK_PASSWORD, or traefik.passwordParameter in the configuration.`,
    };
  }
}
