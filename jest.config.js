/** Unit specs live next to the code (src/**\/*.spec.ts); integration and e2e specs in test/. */
module.exports = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testMatch: ['<rootDir>/src/**/*.spec.ts', '<rootDir>/test/**/*.e2e-spec.ts', '<rootDir>/test/**/*.int-spec.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  testEnvironment: 'node',
  // @fastify/static (Swagger UI) requires content-disposition 3, which is ESM-only; Node loads
  // it natively but Jest's module system cannot, so tests use the CommonJS 0.5 line (same API).
  moduleNameMapper: { '^content-disposition$': 'content-disposition-cjs' },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60000,
  maxWorkers: 1,
};
