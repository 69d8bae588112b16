import { Logger as NestLogger } from '@nestjs/common';
import { Logger as TypeOrmLogger } from 'typeorm';

/**
 * TypeORM's own messages (migrations, warnings, pool errors) through Nest's logger, so they
 * come out as structured lines of the app's logger instead of plain text on the console.
 */
export class TypeOrmNestLogger implements TypeOrmLogger {
  private readonly logger = new NestLogger('TypeORM');

  logQuery(): void {
    // Queries are not logged (their parameters carry request data).
  }
  logQueryError(error: string | Error): void {
    this.logger.debug(`query failed: ${typeof error === 'string' ? error : error.message}`);
  }
  logQuerySlow(time: number): void {
    this.logger.warn(`slow query: ${time} ms`);
  }
  logSchemaBuild(message: string): void {
    this.logger.debug(message);
  }
  logMigration(message: string): void {
    this.logger.log(message);
  }
  log(level: 'log' | 'info' | 'warn', message: unknown): void {
    if (level === 'warn') this.logger.warn(String(message));
    else this.logger.debug(String(message));
  }
}
