import { appSchema, traefikSchema, type EnvironmentConfig } from '../../../src/lib/config/schema.js';
import type { ResolvedContext } from '../../../src/lib/config/resolve.js';
import type { ProgressEvent } from '../../../src/lib/events.js';
import { uniqueName } from '../../support/stack.js';

/** An environment name no other test uses: stacks, clusters and SSM names all derive from it. */
export function uniqueEnv(): string {
  return uniqueName('t').replace('-', '');
}

/** The context a command resolves from a configuration with `domain: example.com`. */
export function contextFor(
  env: string,
  changes: { environment?: EnvironmentConfig; traefik?: Partial<ResolvedContext['traefik']> } = {},
): ResolvedContext {
  return {
    env,
    target: 'ecs',
    localPort: 8080,
    region: 'us-east-1',
    profile: undefined,
    domain: 'example.com',
    cluster: `traefikctl-${env}`,
    hostTemplate: '{app}-{tag}.{env}.{domain}',
    registry: undefined,
    environment: changes.environment ?? {},
    traefik: { ...traefikSchema.parse({}), ...changes.traefik },
    apps: { whoami: appSchema.parse({}) },
    configPath: undefined,
    configDir: process.cwd(),
    overrides: [],
  };
}

/** Collects progress events, and every line a renderer could print, to look for secrets. */
export function recorder(): {
  events: ProgressEvent[];
  emit: (event: ProgressEvent) => void;
  text: () => string;
} {
  const events: ProgressEvent[] = [];
  return { events, emit: (event) => events.push(event), text: () => JSON.stringify(events) };
}
