/** One line of `traefikctl doctor`: what was checked, what was found, and the fix when it failed. */
export interface CheckResult {
  id: CheckId;
  title: string;
  status: 'ok' | 'fail' | 'warn' | 'skip';
  /** What was found: a version, an identity, a cause. */
  detail: string;
  /** The concrete next step when the check did not pass. */
  fix?: string;
}

export type CheckId = 'node' | 'docker' | 'config' | 'credentials' | 'region' | 'cluster' | 'traefik';

export const CHECK_TITLES: Record<CheckId, string> = {
  node: 'Node.js',
  docker: 'Docker daemon',
  config: 'Configuration',
  credentials: 'AWS credentials',
  region: 'AWS region',
  cluster: 'ECS cluster',
  traefik: 'Traefik API',
};

export function ok(id: CheckId, detail: string): CheckResult {
  return { id, title: CHECK_TITLES[id], status: 'ok', detail };
}

export function fail(id: CheckId, detail: string, fix: string): CheckResult {
  return { id, title: CHECK_TITLES[id], status: 'fail', detail, fix };
}

export function warn(id: CheckId, detail: string, fix: string): CheckResult {
  return { id, title: CHECK_TITLES[id], status: 'warn', detail, fix };
}

export function skip(id: CheckId, detail: string): CheckResult {
  return { id, title: CHECK_TITLES[id], status: 'skip', detail };
}

export const MINIMUM_NODE_MAJOR = 22;

export function checkNode(version: string = process.versions.node): CheckResult {
  const major = Number(version.split('.')[0]);
  if (Number.isInteger(major) && major >= MINIMUM_NODE_MAJOR) return ok('node', `v${version}`);
  return fail(
    'node',
    `v${version} is too old`,
    `Install Node.js ${MINIMUM_NODE_MAJOR} or newer (24 LTS recommended), e.g. \`nvm install 24\`.`,
  );
}
