import { Env, validateEnv } from '../../src/config/env.schema';

/**
 * Tests never touch DATABASE_URL: they use TEST_DATABASE_URL, which the global setup sets
 * (a database of this run's own unless given) and recreates with every migration.
 */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testEnv(overrides: Record<string, unknown> = {}): Env {
  return validateEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    DB_RUN_MIGRATIONS: 'false',
    DB_POOL_SIZE: '10',
    PORT: '0',
    HOST: '127.0.0.1',
    // Failed-authentication counters live in the shared Redis, per client IP (127.0.0.1 for every
    // test app of every run): tests opt in with AUTH_FAILURE_LIMIT and addresses of their own.
    AUTH_FAILURE_LIMIT: '0',
    ...overrides,
  });
}
