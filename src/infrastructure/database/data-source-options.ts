import { join } from 'path';
import { DataSourceOptions } from 'typeorm';
import { Env } from '../../config/env.schema';
import { GuardedClient } from './pg-pool';
import { TypeOrmNestLogger } from './typeorm-logger';

export type DatabaseEnv = Pick<Env, 'DATABASE_URL' | 'DB_POOL_SIZE' | 'DB_STATEMENT_TIMEOUT_MS'>;
export type EntityList = DataSourceOptions['entities'];

/**
 * One definition of the Postgres connection, shared by the app and the migration CLI. The
 * entities come from whoever composes the app (APP_ENTITIES in src/app.entities.ts).
 */
export function dataSourceOptions(env: DatabaseEnv, entities: EntityList): DataSourceOptions {
  return {
    type: 'postgres',
    url: env.DATABASE_URL,
    entities,
    migrations: [join(__dirname, '..', '..', '..', 'migrations', '*.{ts,js}')],
    migrationsTableName: 'schema_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // Query errors are logged once, with the request id, by the exception filter.
    logging: ['warn', 'migration'],
    logger: new TypeOrmNestLogger(['warn', 'migration']),
    // Each client logs its own failure once (GuardedClient); the pool's echo of it adds nothing.
    poolErrorHandler: () => undefined,
    extra: {
      // Every pooled connection listens for its own failure from birth (G11).
      Client: GuardedClient,
      max: env.DB_POOL_SIZE,
      connectionTimeoutMillis: 5000,
      // G1: every commit is durable before we acknowledge it.
      options: `-c synchronous_commit=on -c statement_timeout=${env.DB_STATEMENT_TIMEOUT_MS}`,
      application_name: 'ledger-service',
    },
  };
}
