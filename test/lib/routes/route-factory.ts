import type { DeploymentRecord } from '../../../src/lib/model.js';
import type { Route } from '../../../src/lib/routes/join.js';

/** A joined route as `joinRoutes` makes it for an ECS deployment; override what a test is about. */
export function ecsRoute(name: string, overrides: Partial<Route> = {}): Route {
  const host = `${name}.dev.example.com`;
  return {
    name: `${name}@ecs`,
    protocol: 'http',
    provider: 'ecs',
    status: 'enabled',
    rule: `Host(\`${host}\`)`,
    hosts: [host],
    priority: '0',
    entryPoints: ['web'],
    middlewares: [],
    service: `${name}@ecs`,
    serviceType: 'loadbalancer',
    servers: [{ address: 'http://10.0.0.1:80', status: 'UP', service: `${name}@ecs` }],
    serversUp: 1,
    serversTotal: 1,
    errors: [],
    attention: [],
    ...overrides,
  };
}

export function deploymentOf(name: string, overrides: Partial<DeploymentRecord> = {}): DeploymentRecord {
  const [app = name, ...tag] = name.split('-');
  return {
    app,
    tag: tag.join('-'),
    env: 'dev',
    host: `${name}.dev.example.com`,
    service: name,
    deployedAt: '2026-08-01T10:00:00.000Z',
    ...overrides,
  };
}
