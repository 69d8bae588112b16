import * as Joi from 'joi';
import { ApiKeysError, parseApiKeys } from './api-keys';

/**
 * The one environment schema. Every variable the service reads is declared here,
 * validated once at boot (and by the migration CLI) and documented in the README.
 */
export interface Env {
  NODE_ENV: 'development' | 'production' | 'test';
  PORT: number;
  HOST: string;
  LOG_LEVEL: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** '' (unset): an embedded Postgres is started in EMBEDDED_PG_DATA_DIR (main.ts replaces it with that server's URL). */
  DATABASE_URL: string;
  EMBEDDED_PG_DATA_DIR: string;
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
  TRANSACTION_BATCH_MAX_ITEMS: number;
  TRANSACTION_BATCH_BODY_LIMIT_BYTES: number;
  TRANSACTION_BATCH_MAX_IN_FLIGHT: number;
  IDEMPOTENCY_DEFAULT_TTL_S: number;
  PENDING_EXPIRY_INTERVAL_MS: number;
  PENDING_EXPIRY_BATCH: number;
  BALANCE_CACHE_TTL_S: number;
  BALANCE_CACHE_SYNC_INTERVAL_MS: number;
  BALANCE_CACHE_SYNC_WINDOW_MS: number;
  BALANCE_CACHE_SYNC_MAX: number;
  BALANCE_CACHE_SYNC_HOT: number;
  /** Reconciliation (issue 6; README "Reconciliation"). */
  RECONCILIATION_INTERVAL_MS: number;
  RECONCILIATION_FULL_EVERY: number;
  RECONCILIATION_COOLDOWN_MS: number;
  RECONCILIATION_RETENTION_DAYS: number;
  RECONCILIATION_SAMPLE_LIMIT: number;
  RECONCILIATION_PENDING_GRACE_MS: number;
  RECONCILIATION_STATEMENT_TIMEOUT_MS: number;
  RECONCILIATION_CHECKPOINT_OVERLAP_MS: number;
  RECONCILIATION_WEBHOOK_URL: string;
  RECONCILIATION_WEBHOOK_TIMEOUT_MS: number;
  RECONCILIATION_WEBHOOK_RETRIES: number;
  SWAGGER_ENABLED: boolean;
  /** Security and limits (issue 7; README "Authentication and limits"). */
  API_KEYS: string;
  AUTH_DISABLED: boolean;
  METRICS_PUBLIC: boolean;
  DOCS_PUBLIC: boolean;
  CORS_ORIGINS: string;
  JSON_MAX_DEPTH: number;
  REQUEST_TIMEOUT_MS: number;
  AUTH_FAILURE_LIMIT: number;
  AUTH_FAILURE_WINDOW_MS: number;
}

export const envSchema = Joi.object<Env, true>({
  NODE_ENV: Joi.string().valid('development', 'production', 'test').default('development'),
  PORT: Joi.number().integer().min(0).max(65535).default(3000),
  HOST: Joi.string().default('0.0.0.0'),
  LOG_LEVEL: Joi.string()
    .valid('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent')
    .default('info'),
  /** Unset or empty: run an embedded Postgres (laptops; see EMBEDDED_PG_DATA_DIR). */
  DATABASE_URL: Joi.string()
    .uri({ scheme: ['postgres', 'postgresql'] })
    .allow('')
    .default(''),
  /** Data folder of the embedded Postgres (used only when DATABASE_URL is unset). */
  EMBEDDED_PG_DATA_DIR: Joi.string().default('.data/postgres'),
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
  /** Most items in one POST .../transactions/batch (the schema's ceiling is 10,000). */
  TRANSACTION_BATCH_MAX_ITEMS: Joi.number().integer().min(1).max(10000).default(1000),
  /** Largest body of POST .../transactions/batch (other routes: BODY_LIMIT_BYTES). */
  TRANSACTION_BATCH_BODY_LIMIT_BYTES: Joi.number().integer().min(1024).default(8388608),
  /** Batch requests run at once per instance (each in its own transaction); more wait their turn. */
  TRANSACTION_BATCH_MAX_IN_FLIGHT: Joi.number().integer().min(1).max(32).default(2),
  IDEMPOTENCY_DEFAULT_TTL_S: Joi.number().integer().min(1).max(2592000).default(86400),
  /** How often the pending-expiry job cancels holds whose expiresAt has passed. */
  PENDING_EXPIRY_INTERVAL_MS: Joi.number().integer().min(100).max(86400000).default(30000),
  /** Holds canceled per round of the pending-expiry job (a run repeats full rounds). */
  PENDING_EXPIRY_BATCH: Joi.number().integer().min(1).max(5000).default(500),
  /** Lifetime of a cached balance entry in Redis, refreshed on every write. */
  BALANCE_CACHE_TTL_S: Joi.number().integer().min(1).max(2592000).default(3600),
  /** How often the cache-sync job compares cached balances with Postgres. */
  BALANCE_CACHE_SYNC_INTERVAL_MS: Joi.number().integer().min(100).max(86400000).default(60000),
  /** A balance whose updated_at falls in this window before a sync run is checked by it. */
  BALANCE_CACHE_SYNC_WINDOW_MS: Joi.number().integer().min(1000).max(604800000).default(300000),
  /** Most recently changed balances one sync run checks (the most recently updated first). */
  BALANCE_CACHE_SYNC_MAX: Joi.number().integer().min(1).max(1000000).default(10000),
  /** Most-used balances of this instance (reads and writes) one sync run checks as well. */
  BALANCE_CACHE_SYNC_HOT: Joi.number().integer().min(0).max(100000).default(200),
  /** How often the scheduled reconciliation run is enqueued. */
  RECONCILIATION_INTERVAL_MS: Joi.number().integer().min(1000).max(86400000).default(300000),
  /** Every Nth run is a full pass (the others verify what changed since the checkpoint); 1 = always full. */
  RECONCILIATION_FULL_EVERY: Joi.number().integer().min(1).max(100000).default(12),
  /** POST /v1/reconciliation/runs is refused (429) until this long after the previous run ended. */
  RECONCILIATION_COOLDOWN_MS: Joi.number().integer().min(0).max(86400000).default(60000),
  /** Reports older than this are deleted (the latest is always kept). */
  RECONCILIATION_RETENTION_DAYS: Joi.number().integer().min(1).max(3650).default(30),
  /** Samples kept per check and ledger in a report. */
  RECONCILIATION_SAMPLE_LIMIT: Joi.number().integer().min(1).max(1000).default(20),
  /** A PENDING hold this long past its expiresAt is reported as stale (the expiry job's slack). */
  RECONCILIATION_PENDING_GRACE_MS: Joi.number().integer().min(0).max(604800000).default(120000),
  /** statement_timeout of a run's queries (0 = none). */
  RECONCILIATION_STATEMENT_TIMEOUT_MS: Joi.number().integer().min(0).default(600000),
  /** Incremental runs re-verify this much before the checkpoint (a safety margin; rows carry the database's time). */
  RECONCILIATION_CHECKPOINT_OVERLAP_MS: Joi.number().integer().min(0).max(86400000).default(60000),
  /** POSTed (JSON) when a run's status becomes CRITICAL; empty = no webhook. */
  RECONCILIATION_WEBHOOK_URL: Joi.string().uri({ scheme: ['http', 'https'] }).allow('').default(''),
  /** Timeout of one webhook attempt. */
  RECONCILIATION_WEBHOOK_TIMEOUT_MS: Joi.number().integer().min(100).max(60000).default(5000),
  /** Webhook attempts after the first one fails (with backoff). */
  RECONCILIATION_WEBHOOK_RETRIES: Joi.number().integer().min(0).max(10).default(3),
  SWAGGER_ENABLED: Joi.boolean().default(true),
  /** Comma-separated `name:role:sha256hex[:orgId|orgId]` (see src/config/api-keys.ts). */
  API_KEYS: Joi.string()
    .allow('')
    .default('')
    .custom((value: string) => {
      try {
        parseApiKeys(value);
      } catch (err) {
        // The message names the entry, never its hash.
        throw new Error(err instanceof ApiKeysError ? err.message : 'is not valid');
      }
      return value;
    }),
  /** Run without authentication (production refuses to boot without API_KEYS unless set). */
  AUTH_DISABLED: Joi.boolean().default(false),
  /** Serve /metrics without a key (false: a read key is needed). */
  METRICS_PUBLIC: Joi.boolean().default(true),
  /** Serve /docs and /docs-json without a key (false: a read key is needed). */
  DOCS_PUBLIC: Joi.boolean().default(true),
  /** Comma-separated origins allowed by CORS (empty: CORS off). */
  CORS_ORIGINS: Joi.string()
    .allow('')
    .default('')
    .pattern(/^\s*https?:\/\/[^\s,/]+\s*(,\s*https?:\/\/[^\s,/]+\s*)*$/, 'origins like https://app.example.com'),
  /** Deepest JSON nesting accepted in a request body (deeper: 400). */
  JSON_MAX_DEPTH: Joi.number().integer().min(2).max(1000).default(32),
  /** Longest a request may take in the handler before a 504 (0 = no limit). */
  REQUEST_TIMEOUT_MS: Joi.number().integer().min(0).default(20000),
  /** Failed authentications per window per client IP before 429 (0 = no limit). Keys' own limits are in API_KEYS. */
  AUTH_FAILURE_LIMIT: Joi.number().integer().min(0).default(20),
  AUTH_FAILURE_WINDOW_MS: Joi.number().integer().min(1000).max(3600000).default(60000),
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
