import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import type { Logger } from 'pino';
import { createApp } from './app.factory';
import { Env, EnvValidationError, loadEnv } from './config/env.schema';
import { EmbeddedPostgresError } from './infrastructure/database/embedded-postgres';
import { checkDatabase, databaseStartupError, StartupError } from './infrastructure/database/preflight';
import { resolveDatabase } from './infrastructure/database/resolve-database';
import { createRootLogger, PinoNestLogger, prettyDestination, wantsPrettyLogs } from './infrastructure/logging/logger';
import { installProcessHandlers } from './infrastructure/logging/process-handlers';
import { redisAnswers } from './infrastructure/redis/probe-redis';

/**
 * `npm start`: the database (DATABASE_URL, or the embedded Postgres when it is unset), Redis
 * when it answers, then the app. A failure at startup is one line saying what failed and what
 * to do (the stack only at LOG_LEVEL=debug).
 */
async function bootstrap(): Promise<void> {
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvValidationError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createRootLogger(env.LOG_LEVEL, wantsPrettyLogs(env.NODE_ENV) ? prettyDestination() : undefined);
  installProcessHandlers(logger.child({ context: 'Process' }));
  // Lines logged before the app exists (creating the database) go through the same logger.
  NestLogger.overrideLogger(new PinoNestLogger(logger));
  const log = logger.child({ context: 'Startup' });
  try {
    const pgLog = logger.child({ context: 'EmbeddedPostgres' });
    const db = await resolveDatabase(env, (line) => pgLog.debug(line));
    await checkDatabase(db.env.DATABASE_URL, env.DB_RUN_MIGRATIONS);
    const redis = await redisAnswers(env.REDIS_URL);
    if (!redis) {
      log.warn(
        `no Redis answers at ${redisHost(env.REDIS_URL)}: running without it (balance cache off, scheduled jobs in-process); ` +
          'start one (docker compose up -d redis, or the redis-server package) and restart to use it',
      );
    }
    const app = await createApp(db.env, { logger, redis }).catch((err: Error & { code?: string }) => {
      throw err.code && /^[0-9A-Z]{5}$/.test(err.code) ? databaseStartupError(err, db.env.DATABASE_URL) : err;
    });
    await app.listen(env.PORT, env.HOST).catch((err: Error & { code?: string }) => {
      if (err.code === 'EADDRINUSE') throw new StartupError(`port ${env.PORT} on ${env.HOST} is in use: stop what listens there, or set PORT`);
      if (err.code === 'EACCES') throw new StartupError(`port ${env.PORT} on ${env.HOST} needs privileges: set PORT above 1023`);
      throw err;
    });
    const where = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
    log.info(`Ledger service on ${where} (Swagger UI at ${where}/docs)`);
    log.info(`Database: ${db.description}`);
    log.info(`Redis: ${redis ? redisHost(env.REDIS_URL) : 'none (balance cache off, jobs in-process)'}`);
  } catch (err) {
    fail(logger, err as Error);
  }
}

/** One line at fatal (the stack at debug), then exit 1; exit listeners stop an embedded Postgres. */
function fail(logger: Logger, err: Error): never {
  const known = err instanceof StartupError || err instanceof EmbeddedPostgresError;
  const line = known ? err.message : `startup failed: ${err.message} (LOG_LEVEL=debug shows the stack)`;
  if (logger.isLevelEnabled('fatal')) logger.fatal({ context: 'Startup' }, line);
  else process.stderr.write(`${line}\n`);
  logger.debug({ context: 'Startup', err }, 'startup failure detail');
  process.exit(1);
}

function redisHost(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '6379'}`;
}

void bootstrap();
