import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Client, Pool } from 'pg';

/**
 * The pg pool under TypeORM's Postgres driver. The posting engine uses it directly for
 * its batch statements (named prepared statements, arrays), sharing one pool with TypeORM.
 */
export function pgPool(dataSource: DataSource): Pool {
  const pool = (dataSource.driver as unknown as { master?: Pool }).master;
  if (!pool) throw new Error('The Postgres pool is not initialized');
  return pool;
}

const logger = new Logger('Postgres');

/**
 * The pool's client class (G11): it listens for 'error' from its first moment to its last. pg
 * emits 'error' on a client whose connection dies (a restarted or terminated backend, a cut
 * network), and an 'error' with no listener ends the process. The pool listens only while a
 * client is idle, and whoever checks one out attaches its listener a tick later, after a
 * FATAL that arrived in the same read as the connection's ReadyForQuery has already been
 * emitted. With this listener the error is logged, the queries on the client fail (pg
 * rejects them itself) and the pool destroys the client when it comes back, as it does with
 * any client that is no longer queryable.
 */
export class GuardedClient extends Client {
  private failed = false;

  constructor(config?: ConstructorParameters<typeof Client>[0]) {
    super(config);
    this.on('error', (err: Error) => {
      if (this.failed) return;
      this.failed = true;
      logger.warn(`A Postgres connection failed and is dropped: ${err.message}`);
    });
  }
}

