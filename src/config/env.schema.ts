import * as Joi from 'joi';

/**
 * The one environment schema. Every variable the service reads is declared here,
 * validated once at boot (and by the migration CLI) and documented in the README.
 */
export interface Env {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  DATABASE_URL: string;
  DB_POOL_SIZE: number;
  DB_RUN_MIGRATIONS: boolean;
  DB_STATEMENT_TIMEOUT_MS: number;
  REDIS_URL: string;
  REDIS_COMMAND_TIMEOUT_MS: number;
  BODY_LIMIT_BYTES: number;
  PAGINATION_DEFAULT_LIMIT: number;
  PAGINATION_MAX_LIMIT: number;
  POSTING_BATCH_MAX: number;
  POSTING_BATCH_WAIT_MS: number;
  POSTING_MAX_IN_FLIGHT: number;
  POSTING_MAX_LEGS: number;
  IDEMPOTENCY_DEFAULT_TTL_S: number;
  SWAGGER_ENABLED: boolean;
}

export const envSchema = Joi.object<Env, true>({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  HOST: Joi.string().default('0.0.0.0'),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info'),
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .default('postgres://postgres@127.0.0.1:5432/ledger'),
  DB_POOL_SIZE: Joi.number().integer().min(2).max(200).default(20),
  DB_RUN_MIGRATIONS: Joi.boolean().default(true),
  DB_STATEMENT_TIMEOUT_MS: Joi.number().integer().min(0).default(15000),
  REDIS_URL: Joi.string()
    .uri({ scheme: ['redis', 'rediss'] })
    .default('redis://127.0.0.1:6379'),
  REDIS_COMMAND_TIMEOUT_MS: Joi.number().integer().min(10).default(500),
  BODY_LIMIT_BYTES: Joi.number().integer().min(1024).default(262144),
  PAGINATION_DEFAULT_LIMIT: Joi.number().integer().min(1).default(10),
  PAGINATION_MAX_LIMIT: Joi.number().integer().min(1).max(1000).default(100),
  POSTING_BATCH_MAX: Joi.number().integer().min(1).max(5000).default(500),
  POSTING_BATCH_WAIT_MS: Joi.number().integer().min(0).max(1000).default(2),
  POSTING_MAX_IN_FLIGHT: Joi.number().integer().min(1).max(32).default(4),
  POSTING_MAX_LEGS: Joi.number().integer().min(2).max(1000).default(100),
  IDEMPOTENCY_DEFAULT_TTL_S: Joi.number().integer().min(1).max(2592000).default(86400),
  SWAGGER_ENABLED: Joi.boolean().default(true),
});

export class EnvValidationError extends Error {}

/** Validates raw variables; throws one line naming every bad variable. */
export function validateEnv(raw: Record<string, unknown>): Env {
  const { value, error } = envSchema.validate(raw, {
    abortEarly: false,
    allowUnknown: true,
    stripUnknown: true,
    convert: true,
  });
  if (error) {
    const details = error.details.map((d) => `${d.path.join('.')}: ${d.message.replace(/"/g, '')}`);
    throw new EnvValidationError(`Invalid configuration: ${details.join('; ')}`);
  }
  return value;
}

/** The only place that reads process.env. */
export function loadEnv(): Env {
  return validateEnv(process.env);
}
