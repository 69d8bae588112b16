import { Logger } from '@nestjs/common';
import type { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's messages (migrations, warnings, pool errors) through the app's logger, so they are
 * structured lines like every other, never plain text beside the JSON. Queries are not logged
 * (their parameters carry request data); a failed query is logged once, with the request id,
 * by the exception filter.
 */
export class NestTypeOrmLogger implements TypeOrmLogger {
  private readonly logger = new Logger('TypeORM');

  logQuery(): void {}
  logQueryError(): void {}
  logQuerySlow(time: number, query: string): void {
    this.logger.warn({ ms: time }, `Slow query: ${query.slice(0, 200)}`);
  }
  logSchemaBuild(): void {}
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}

/** An idle pooled connection that fails (a restarted server) is dropped by the pool; say so, once per connection. */
export function logPoolError(err: Error): void {
  new Logger('Postgres').warn(`An idle Postgres connection failed and was dropped from the pool: ${err.message}`);
}
