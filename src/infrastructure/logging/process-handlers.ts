import type { Logger } from 'pino';

/**
 * The process-level policy (G11, README "Failure behaviour"):
 * - an unhandled promise rejection is logged at fatal with its error and the process goes on:
 *   no answer waits on such a promise, and Postgres, not memory, holds every acknowledged state;
 * - an uncaught exception is logged at fatal and the process exits (code 1): it was thrown out of
 *   an unknown point, so the state in memory is unknown; a supervisor restarts it, and nothing
 *   acknowledged is lost (G1).
 */
export function installProcessHandlers(logger: Logger): void {
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, `Unhandled promise rejection (the process goes on): ${describe(reason)}`);
  });
  process.on('uncaughtException', (err, origin) => {
    logger.fatal({ err, origin }, `Uncaught exception (${origin}); the process state is unknown and it exits: ${describe(err)}`);
    process.exit(1);
  });
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}
