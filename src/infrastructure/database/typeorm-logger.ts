import { Logger as NestLogger } from '@nestjs/common';
import { AbstractLogger, LoggerOptions, LogLevel, LogMessage } from 'typeorm';

/**
 * TypeORM's own messages (migrations, warnings) through Nest's logger, so they come out as
 * lines of the app's logger instead of plain text on the console. Which kinds are written is
 * TypeORM's `logging` option; queries are never logged (their parameters carry request data).
 */
export class TypeOrmNestLogger extends AbstractLogger {
  private readonly logger = new NestLogger('TypeORM');

  constructor(options: LoggerOptions) {
    super(options);
  }

  protected writeLog(level: LogLevel, message: LogMessage | string | number | Array<LogMessage | string | number>): void {
    for (const m of Array.isArray(message) ? message : [message]) {
      const text = typeof m === 'object' ? String(m.message) : String(m);
      if (level === 'error') this.logger.error(text);
      else if (level === 'warn') this.logger.warn(text);
      else if (level === 'migration') this.logger.log(text);
      else if (level !== 'query') this.logger.debug(text);
    }
  }
}
