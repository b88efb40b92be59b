/**
 * Runs before every test file, unit and integration alike: whatever the developer's shell says,
 * an AWS call from a test (or from a bin/run.js it spawns) goes to moto on 127.0.0.1 with fake
 * credentials, never to real AWS or a profile's endpoint. A unit test that calls AWS by mistake
 * then fails with ECONNREFUSED instead of touching an account.
 */
import { inject } from 'vitest';
import { stackAddresses, strayAwsVariables } from './stack-context.js';
import type { TestStackInfo } from './stack-context.js';

// Only the integration project has a global setup; the unit project computes the same addresses.
const provided = inject('testStack') as TestStackInfo | undefined;
const awsEnv = provided?.awsEnv ?? stackAddresses().awsEnv;

for (const name of strayAwsVariables(process.env)) Reflect.deleteProperty(process.env, name);
Object.assign(process.env, awsEnv);
// A developer's own AWS timeouts would change what the timeout tests see, and the Traefik address that
// `eval "$(scripts/test-stack.sh traefik --env dev)"` exports would send the CLI's Traefik requests there.
for (const name of ['TRAEFIKCTL_AWS_TIMEOUT', 'TRAEFIKCTL_AWS_CONNECT_TIMEOUT', 'TRAEFIKCTL_CONNECT_TO'])
  Reflect.deleteProperty(process.env, name);
// The CI surfaces (src/lib/ci) turn on by themselves in GitHub Actions or GitLab CI: a test run inside
// one must not report to it, nor have its CLI's output change. Tests that want them set them.
for (const name of [
  'GITHUB_ACTIONS',
  'GITLAB_CI',
  'GITHUB_TOKEN',
  'GITHUB_OUTPUT',
  'GITHUB_STEP_SUMMARY',
  'GITHUB_EVENT_PATH',
])
  Reflect.deleteProperty(process.env, name);
