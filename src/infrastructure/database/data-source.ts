import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { loadEnv } from '../../config/env.schema';
import { dataSourceOptions } from './data-source-options';

/** Used by the TypeORM CLI: npm run migration:run | migration:generate | migration:revert. */
export default new DataSource(dataSourceOptions(loadEnv()));
