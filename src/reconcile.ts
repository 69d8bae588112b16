import 'reflect-metadata';
import { DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import pino from 'pino';
import { APP_ENTITIES } from './app.entities';
import { AppError } from './common/errors/app-error';
import { AppConfigModule } from './config/config.module';
import { Env, EnvValidationError, loadEnv } from './config/env.schema';
import { DatabaseModule } from './infrastructure/database/database.module';
import { resolveDatabase } from './infrastructure/database/resolve-database';
import { PinoNestLogger } from './infrastructure/logging/logger';
import { MetricsModule } from './infrastructure/metrics/metrics.module';
import { RedisModule } from './infrastructure/redis/redis.module';
import { ReconciliationCoreModule } from './modules/reconciliation/reconciliation-core.module';
import { ReconciliationRunner, RunOutcome, RunProgress } from './modules/reconciliation/reconciliation.runner';
import { prettyDestination } from './infrastructure/logging/logger';

/**
 * `npm run reconcile [-- --full] [-- --json]`: one reconciliation run against the configured
 * database (DATABASE_URL, REDIS_URL), stored like any other run. Exit codes: 0 HEALTHY or
 * WARNING, 2 CRITICAL, 3 another run is in progress, 1 the run could not be made.
 */
export const EXIT = { ok: 0, failed: 1, critical: 2, busy: 3 } as const;

@Module({})
class ReconcileCliModule {
  static forRoot(env: Env): DynamicModule {
    return {
      module: ReconcileCliModule,
      imports: [AppConfigModule.forRoot(env), DatabaseModule.forRoot(APP_ENTITIES), RedisModule.forRoot(), MetricsModule, ReconciliationCoreModule],
    };
  }
}

/** "check 3 of 12: balance-fold · 12,345 rows scanned · 4.2 s" */
export function describeProgress(p: RunProgress): string {
  const rows = p.scanned.toLocaleString('en-US');
  const elapsed = `${(p.elapsedMs / 1000).toFixed(1)} s`;
  const what = p.phase === 'check-started' ? `check ${p.index} of ${p.total}: ${p.check}` : `check ${p.index} of ${p.total} done (${p.check})`;
  return `${what} · ${rows} rows scanned · ${elapsed}`;
}

/** One line on a terminal, redrawn in place. */
class ProgressLine {
  constructor(private readonly out: NodeJS.WriteStream) {}
  show(text: string): void {
    this.out.write(`\r\x1b[K${text.slice(0, Math.max(20, (this.out.columns || 100) - 1))}`);
  }
  clear(): void {
    this.out.write('\r\x1b[K');
  }
}

function print(outcome: RunOutcome, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    return;
  }
  const lines = [
    `reconciliation run ${outcome.id} (${outcome.mode}): ${outcome.status}` +
      `${outcome.previousStatus ? ` (previous ${outcome.previousStatus})` : ''}, ${outcome.issues} issue(s), ` +
      `${outcome.checks.reduce((n, c) => n + c.scanned, 0).toLocaleString('en-US')} rows scanned, ${outcome.durationMs} ms`,
    ...outcome.checks.map(
      (c) => `  ${c.status.padEnd(8)} ${c.name.padEnd(22)} issues ${String(c.issues).padStart(6)}  rows ${String(c.scanned).padStart(9)}  ${String(c.durationMs).padStart(6)} ms${c.note ? `  (${c.note})` : ''}`,
    ),
    `report: /v1/reconciliation/reports/${outcome.id} (html: /v1/reconciliation/reports/${outcome.id}/html)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(argv: string[]): Promise<number> {
  const unknown = argv.filter((a) => a !== '--full' && a !== '--json');
  if (unknown.length > 0) {
    process.stderr.write(`usage: reconcile [--full] [--json] (unknown: ${unknown.join(' ')})\n`);
    return EXIT.failed;
  }
  let env: Env;
  try {
    env = loadEnv();
  } catch (err) {
    if (err instanceof EnvValidationError) {
      process.stderr.write(`${err.message}\n`);
      return EXIT.failed;
    }
    throw err;
  }
  // Logs go to stderr so stdout carries the report only: JSON (LOG_LEVEL), or on a terminal
  // readable lines from warn up, with a progress line in place of the per-check lines.
  const tty = Boolean(process.stderr.isTTY);
  const level = tty && pino.levels.values[env.LOG_LEVEL] < pino.levels.values.warn ? 'warn' : env.LOG_LEVEL;
  const root = pino(
    { level, base: { service: 'ledger-service', tool: 'reconcile' }, timestamp: pino.stdTimeFunctions.isoTime },
    tty ? prettyDestination(true, 2) : pino.destination(2),
  );
  try {
    // Without DATABASE_URL: the embedded Postgres of `npm start` (reused while the app runs).
    env = (await resolveDatabase(env, (line) => root.debug({ context: 'EmbeddedPostgres' }, line))).env;
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n`);
    return EXIT.failed;
  }
  const logger = new PinoNestLogger(root);
  const app = await NestFactory.createApplicationContext(ReconcileCliModule.forRoot(env), { logger, abortOnError: false });
  try {
    const progress = tty ? new ProgressLine(process.stderr) : undefined;
    const run = await app.get(ReconciliationRunner).start({
      trigger: 'cli',
      mode: argv.includes('--full') ? 'full' : undefined,
      onProgress: progress && ((p) => progress.show(describeProgress(p))),
    });
    progress?.show(`reconciliation run ${run.id} (${run.mode}) started`);
    const outcome = await run.done.finally(() => progress?.clear());
    print(outcome, argv.includes('--json'));
    return outcome.status === 'CRITICAL' ? EXIT.critical : EXIT.ok;
  } catch (err) {
    if (err instanceof AppError && err.key === 'RECONCILIATION_IN_PROGRESS') {
      process.stderr.write(`${err.message}\n`);
      return EXIT.busy;
    }
    process.stderr.write(`reconciliation failed: ${(err as Error).message}\n`);
    return EXIT.failed;
  } finally {
    await app.close();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: Error) => {
      process.stderr.write(`${err.stack ?? err.message}\n`);
      process.exit(EXIT.failed);
    },
  );
}
