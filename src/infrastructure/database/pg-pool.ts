import { DataSource } from 'typeorm';
import type { Pool } from 'pg';

/**
 * The pg pool under TypeORM's Postgres driver. The posting engine uses it directly for
 * its batch statements (named prepared statements, arrays), sharing one pool with TypeORM.
 */
export function pgPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('The Postgres pool is not initialized');
  return pool;
}
