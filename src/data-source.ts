import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { APP_ENTITIES } from './app.entities';
import { loadEnv } from './config/env.schema';
import { dataSourceOptions } from './infrastructure/database/data-source-options';
import { resolveDatabase } from './infrastructure/database/resolve-database';

/**
 * Used by the TypeORM CLI: npm run migration:run | migration:generate | migration:revert.
 * Without DATABASE_URL it works on the embedded Postgres, as `npm start` does.
 */
export default resolveDatabase(loadEnv(), () => undefined).then(
  ({ env }) => new DataSource(dataSourceOptions(env, APP_ENTITIES)),
);
