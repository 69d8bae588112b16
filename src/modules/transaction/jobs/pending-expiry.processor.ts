import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JOB_LOCK_IDS, JobRunner, loggedRun } from '../../../infrastructure/jobs/job-runner';
import {
  EXPIRE_DUE_HOLDS_JOB,
  PENDING_EXPIRY_LOCK,
  PENDING_EXPIRY_LOCK_TTL_MS,
  PENDING_EXPIRY_QUEUE,
} from './pending-expiry.constants';
import { ExpiryReport, PendingExpiryService } from './pending-expiry.service';

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

  /** What is due is decided by the database's clock; the host's clock only times the run. */
  expireDueHolds(job: { id: string | number }): Promise<ExpiryReport> {
    return loggedRun(this.logger, 'Pending expiry run', job, () => this.expiry.expireDueHolds(), (r, durationMs) => ({
      line: `Pending expiry run finished in ${durationMs} ms: ${r.expired} expired, ${r.skipped} skipped, ${r.failed} failed`,
      fields: { ...r },
      warn: r.failed > 0,
    }));
  }
}
