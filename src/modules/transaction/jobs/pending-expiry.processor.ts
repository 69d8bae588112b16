import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JOB_LOCK_IDS, JobRunner, LockedOutcome } from '../../../infrastructure/jobs/job-runner';
import {
  EXPIRE_DUE_HOLDS_JOB,
  PENDING_EXPIRY_LOCK,
  PENDING_EXPIRY_LOCK_TTL_MS,
  PENDING_EXPIRY_QUEUE,
} from './pending-expiry.constants';
import { ExpiryReport, PendingExpiryService } from './pending-expiry.service';

/** What a Bull run answers: the report, or why it was skipped (the lock is the runner's). */
export type ExpiryRunOutcome = LockedOutcome<ExpiryReport>;

/**
 * The pending-expiry job: every PENDING_EXPIRY_INTERVAL_MS, one expiry pass
 * (PendingExpiryService.expireDueHolds) on one instance at a time, through the JobRunner.
 */
@Injectable()
export class PendingExpiryProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(PendingExpiryProcessor.name);

  constructor(
    private readonly expiry: PendingExpiryService,
    private readonly runner: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runner.schedule({
      queue: PENDING_EXPIRY_QUEUE,
      name: EXPIRE_DUE_HOLDS_JOB,
      label: 'Pending expiry',
      everyMs: this.config.get('PENDING_EXPIRY_INTERVAL_MS'),
      lockId: JOB_LOCK_IDS.pendingExpiry,
      redisLock: { name: PENDING_EXPIRY_LOCK, ttlMs: PENDING_EXPIRY_LOCK_TTL_MS },
      run: (trigger) => this.expireDueHolds(trigger),
    });
  }

  async expireDueHolds(job: { id: string | number }): Promise<ExpiryReport> {
    const started = Date.now(); // for the duration only: what is due is decided by the database's clock
    this.logger.log({ jobId: job.id }, 'Pending expiry run started');
    try {
      const r = await this.expiry.expireDueHolds();
      const durationMs = Date.now() - started;
      const line = `Pending expiry run finished in ${durationMs} ms: ${r.expired} expired, ${r.skipped} skipped, ${r.failed} failed`;
      const fields = { jobId: job.id, durationMs, ...r };
      if (r.failed > 0) this.logger.warn(fields, line);
      else this.logger.log(fields, line);
      return r;
    } catch (err) {
      this.logger.error({ jobId: job.id, durationMs: Date.now() - started, err }, `Pending expiry run failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
