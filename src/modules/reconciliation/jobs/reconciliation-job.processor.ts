import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppError } from '../../../common/errors/app-error';
import { AppConfig } from '../../../config/app-config';
import { JOB_LOCK_IDS, JobRunner } from '../../../infrastructure/jobs/job-runner';
import { ReconciliationRunner } from '../reconciliation.runner';
import { BooksStatus } from '../reconciliation.types';
import { RECONCILIATION_QUEUE, RUN_RECONCILIATION_JOB } from './reconciliation-job.constants';

export type ScheduledRunOutcome =
  | { ran: true; runId: string; status: BooksStatus; issues: number; durationMs: number }
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

  async runScheduled(job: { id: string | number }): Promise<ScheduledRunOutcome> {
    const started = Date.now();
    this.logger.log({ jobId: job.id }, 'Scheduled reconciliation started');
    try {
      const run = await this.runner.start({ trigger: 'schedule' });
      const outcome = await run.done;
      const durationMs = Date.now() - started;
      const line = `Scheduled reconciliation ${run.id} finished in ${durationMs} ms (${outcome.mode}): ${outcome.status}, ${outcome.issues} issue(s)`;
      const fields = { jobId: job.id, runId: run.id, durationMs, status: outcome.status, issues: outcome.issues };
      if (outcome.status === 'HEALTHY') this.logger.log(fields, line);
      else this.logger.warn(fields, line);
      return { ran: true, runId: run.id, status: outcome.status, issues: outcome.issues, durationMs };
    } catch (err) {
      const durationMs = Date.now() - started;
      if (err instanceof AppError && err.key === 'RECONCILIATION_IN_PROGRESS') {
        this.logger.log({ jobId: job.id, durationMs }, 'Scheduled reconciliation skipped (a run is in progress)');
        return { ran: false, reason: 'in-progress' };
      }
      this.logger.error({ jobId: job.id, durationMs, err }, `Scheduled reconciliation failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
