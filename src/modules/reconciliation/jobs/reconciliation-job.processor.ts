import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { JOB_LOCK_IDS, JobRunner, loggedRun } from '../../../infrastructure/jobs/job-runner';
import { ReconciliationRunner } from '../reconciliation.runner';
import { BooksStatus, RunMode } from '../reconciliation.types';
import { RECONCILIATION_QUEUE, RUN_RECONCILIATION_JOB } from './reconciliation-job.constants';

export type ScheduledRunOutcome =
  | { ran: true; runId: string; mode: RunMode; status: BooksStatus; issues: number; durationMs: number }
  | { ran: false; reason: string };

/**
 * The scheduled reconciliation: one run every RECONCILIATION_INTERVAL_MS, through the
 * JobRunner. The runner's advisory lock keeps runs from overlapping across instances (with
 * Bull or in-process): a trigger that finds a run in progress is skipped.
 */
@Injectable()
export class ReconciliationJobProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(ReconciliationJobProcessor.name);

  constructor(
    private readonly runner: ReconciliationRunner,
    private readonly jobs: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.jobs.schedule({
      queue: RECONCILIATION_QUEUE,
      name: RUN_RECONCILIATION_JOB,
      label: 'Reconciliation',
      everyMs: this.config.get('RECONCILIATION_INTERVAL_MS'),
      lockId: JOB_LOCK_IDS.reconciliation,
      run: (trigger) => this.runScheduled(trigger),
    });
  }

  runScheduled(job: { id: string | number }): Promise<ScheduledRunOutcome> {
    return loggedRun(this.logger, 'Scheduled reconciliation', job, () => this.runOnce(), (r, durationMs) =>
      r.ran
        ? {
            line: `Scheduled reconciliation ${r.runId} finished in ${durationMs} ms (${r.mode}): ${r.status}, ${r.issues} issue(s)`,
            fields: { runId: r.runId, status: r.status, issues: r.issues },
            warn: r.status !== 'HEALTHY',
          }
        : { line: 'Scheduled reconciliation skipped (a run is in progress)' },
    );
  }

  /** One run, or `ran: false` when a run is in progress elsewhere. */
  private async runOnce(): Promise<ScheduledRunOutcome> {
    const started = Date.now();
    try {
      const run = await this.runner.start({ trigger: 'schedule' });
      const { mode, status, issues } = await run.done;
      return { ran: true, runId: run.id, mode, status, issues, durationMs: Date.now() - started };
    } catch (err) {
      if (err instanceof AppError && err.key === 'RECONCILIATION_IN_PROGRESS') return { ran: false, reason: 'in-progress' };
      throw err;
    }
  }
}
