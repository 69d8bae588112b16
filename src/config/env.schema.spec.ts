import { EnvValidationError, validateEnv } from './env.schema';

/** Calls validateEnv and returns the EnvValidationError it throws (fails the test if none). */
function validationError(raw: Record<string, unknown>): EnvValidationError {
  try {
    validateEnv(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(EnvValidationError);
    return err as EnvValidationError;
  }
  throw new Error(`validateEnv accepted ${JSON.stringify(raw)}`);
}

describe('validateEnv', () => {
  describe('defaults', () => {
    it('applies the documented defaults to an empty environment', () => {
      expect(validateEnv({})).toMatchObject({
        NODE_ENV: 'development',
        PORT: 3000,
        HOST: '0.0.0.0',
        LOG_LEVEL: 'info',
        DATABASE_URL: '',
        EMBEDDED_PG_DATA_DIR: '.data/postgres',
        DB_POOL_SIZE: 20,
        DB_RUN_MIGRATIONS: true,
        DB_STATEMENT_TIMEOUT_MS: 15000,
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_COMMAND_TIMEOUT_MS: 500,
        BODY_LIMIT_BYTES: 262144,
        PAGINATION_DEFAULT_LIMIT: 10,
        PAGINATION_MAX_LIMIT: 100,
        POSTING_BATCH_MAX: 500,
        POSTING_BATCH_WAIT_MS: 2,
        POSTING_MAX_LEGS: 100,
        IDEMPOTENCY_DEFAULT_TTL_S: 86400,
        PENDING_EXPIRY_INTERVAL_MS: 30000,
        PENDING_EXPIRY_BATCH: 500,
        SWAGGER_ENABLED: true,
      });
    });

    it('converts strings to numbers and booleans', () => {
      const env = validateEnv({ PORT: '8080', DB_RUN_MIGRATIONS: 'false', SWAGGER_ENABLED: 'false' });
      expect(env.PORT).toBe(8080);
      expect(env.DB_RUN_MIGRATIONS).toBe(false);
      expect(env.SWAGGER_ENABLED).toBe(false);
    });

    it('keeps given values over defaults', () => {
      const env = validateEnv({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u@db:5432/x', LOG_LEVEL: 'warn' });
      expect(env).toMatchObject({ NODE_ENV: 'production', DATABASE_URL: 'postgresql://u@db:5432/x', LOG_LEVEL: 'warn' });
    });

    it('drops variables the schema does not declare', () => {
      const env = validateEnv({ PATH: '/usr/bin', HOME: '/root' });
      expect(env).not.toHaveProperty('PATH');
      expect(env).not.toHaveProperty('HOME');
    });
  });

  describe('malformed variables', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['DATABASE_URL', 'mysql://x'],
      ['REDIS_URL', 'http://cache'],
      ['LOG_LEVEL', 'loud'],
      ['NODE_ENV', 'staging'],
      ['DB_POOL_SIZE', '1'],
      ['DB_RUN_MIGRATIONS', 'maybe'],
    ])('%s=%s throws an EnvValidationError naming the variable on one line', (name, value) => {
      const err = validationError({ [name]: value });
      expect(err.message).toContain(name);
      expect(err.message).not.toMatch(/[\r\n]/);
    });

    it('names every bad variable in one message', () => {
      const err = validationError({ PORT: 'abc', LOG_LEVEL: 'loud', DATABASE_URL: 'mysql://x' });
      for (const name of ['PORT', 'LOG_LEVEL', 'DATABASE_URL']) expect(err.message).toContain(name);
      expect(err.message).not.toMatch(/[\r\n]/);
    });

    it('does not name variables that are fine', () => {
      const err = validationError({ PORT: 'abc', LOG_LEVEL: 'debug' });
      expect(err.message).not.toContain('LOG_LEVEL');
    });

    it('does not echo the password of a refused DATABASE_URL', () => {
      const err = validationError({ DATABASE_URL: 'mysql://admin:s3cr3t-pw@db:3306/ledger' });
      expect(err.message).toContain('DATABASE_URL');
      expect(err.message).not.toContain('s3cr3t-pw');
    });
  });
});
