import type { Logger } from '@nestjs/common';

/**
 * Scheduled jobs (pending expiry, reconciliation, cache sync) behind one small interface with
 * two adapters (DESIGN section 8): Bull repeatable jobs when Redis answered at start
 * (BullJobRunner), in-process timers guarded by a Postgres advisory lock otherwise
 * (InProcessJobRunner). Either way a job's work is a service method and a job never runs twice
 * at once across instances.
 */
export interface ScheduledJob<T = unknown> {
  /** Bull queue of the job (one job per queue). */
  queue: string;
  /** Bull job name. */
  name: string;
  /** For logs: "Pending expiry". */
  label: string;
  everyMs: number;
  /** The in-process adapter's advisory lock: pg_try_advisory_lock(JOB_LOCK_CLASS, lockId). */
  lockId: number;
  /** A Redis lock the Bull adapter takes around each run (omit when the work locks itself). */
  redisLock?: { name: string; ttlMs: number };
  /** One run of the work. */
  run(trigger: { id: string | number }): Promise<T>;
}

/** What a run under a lock answers: the work's result, or why it did not run. */
export type LockedOutcome<T> = ({ ran: true } & T) | { ran: false; reason: string };

export abstract class JobRunner {
  abstract readonly kind: 'bull' | 'in-process';
  /** Starts triggering `job` every job.everyMs (the first run after one interval). */
  abstract schedule(job: ScheduledJob): Promise<void>;
}

/** Advisory-lock class of scheduled jobs ("LEDG"; reconciliation runs use key 6 of it). */
export const JOB_LOCK_CLASS = 0x4c454447;
export const JOB_LOCK_IDS = { pendingExpiry: 7, reconciliation: 8, balanceCacheSync: 9 } as const;

export type JobMode = JobRunner['kind'];

/** How a finished run is reported: its line and fields, at warn when something needs a look. */
export interface RunSummary {
  line: string;
  fields?: Record<string, unknown>;
  warn?: boolean;
}

/**
 * One logged run of a scheduled job (CONVENTIONS 9): "<label> started", then the summary's line
 * (with the job id and duration), or "<label> failed: ..." at error level before rethrowing.
 */
export async function loggedRun<T>(
  logger: Logger,
  label: string,
  job: { id: string | number },
  work: () => Promise<T>,
  summarize: (result: T, durationMs: number) => RunSummary,
): Promise<T> {
  const started = Date.now();
  logger.log({ jobId: job.id }, `${label} started`);
  try {
    const result = await work();
    const durationMs = Date.now() - started;
    const { line, fields, warn } = summarize(result, durationMs);
    const all = { jobId: job.id, durationMs, ...fields };
    if (warn) logger.warn(all, line);
    else logger.log(all, line);
    return result;
  } catch (err) {
    logger.error({ jobId: job.id, durationMs: Date.now() - started, err }, `${label} failed: ${(err as Error).message}`);
    throw err;
  }
}
