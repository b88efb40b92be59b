import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Two projects over `test/**\/*.test.{ts,tsx}`:
 * - unit: everything else; needs nothing running (`npm run test:unit`).
 * - integration: test/integration and test/e2e, against the real stack (scripts/test-stack.sh).
 *   Its global setup probes the stack once per run; see test/support/stack.ts.
 *
 * TRAEFIKCTL_TEST_REPORT=<file> adds vitest's JSON report (.ci/run counts passed/failed from it)
 * without changing the `npm test` script.
 */
const stackTests = ['test/integration/**/*.test.{ts,tsx}', 'test/e2e/**/*.test.{ts,tsx}'];
const report = process.env.TRAEFIKCTL_TEST_REPORT;

export default defineConfig({
  test: {
    // No `include` here: `extends: true` concatenates arrays, so each project names its own files.
    setupFiles: ['test/setup/test-env.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    ...(report ? { reporters: ['default', 'json'], outputFile: { json: report } } : {}),
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/**/*.test.{ts,tsx}'],
          exclude: [...configDefaults.exclude, ...stackTests],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: stackTests,
          globalSetup: ['test/setup/global-setup.ts'],
          // Docker builds and pushes, CLI processes, and moto's first call per service (about 1 s).
          testTimeout: 120_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
