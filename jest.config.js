/**
 * Three projects, each runnable alone (`jest --selectProjects unit|integration|e2e`):
 * - unit: specs next to the code (src/**\/*.spec.ts); pure, no Postgres or Redis needed;
 * - integration (test/**\/*.int-spec.ts) and e2e (test/**\/*.e2e-spec.ts): real Postgres and
 *   Redis, prepared by the global setup (a fresh, migrated database) and stopped by the teardown.
 * A project's globalSetup runs only when at least one of its tests is selected, and once per
 * run even when both integration and e2e run (same module), so `npm run test:unit` never
 * touches a database.
 */
const shared = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testEnvironment: 'node',
  // @fastify/static (Swagger UI) requires content-disposition 3, which is ESM-only; Node loads
  // it natively but Jest's module system cannot, so tests use the CommonJS 0.5 line (same API).
  moduleNameMapper: { '^content-disposition$': 'content-disposition-cjs' },
};

const withServices = {
  ...shared,
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...withServices, displayName: 'integration', testMatch: ['<rootDir>/test/**/*.int-spec.ts'] },
    { ...withServices, displayName: 'e2e', testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'] },
  ],
  testTimeout: 60000,
  maxWorkers: 1,
};
