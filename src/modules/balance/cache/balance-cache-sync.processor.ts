import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { JOB_LOCK_IDS, JobRunner, LockedOutcome, loggedRun } from '../../../infrastructure/jobs/job-runner';
import { BALANCE_CACHE_SYNC_LOCK, BALANCE_CACHE_SYNC_LOCK_TTL_MS, BALANCE_CACHE_SYNC_QUEUE, SYNC_BALANCE_CACHE_JOB } from './balance-cache-sync.constants';
import { BalanceCacheSync, CacheSyncReport } from './balance-cache-sync.service';

/** What a Bull run answers: the report, or why it was skipped (the lock is the runner's). */
export type CacheSyncOutcome = LockedOutcome<CacheSyncReport>;

/**
 * The cache-sync job: every BALANCE_CACHE_SYNC_INTERVAL_MS, one pass of BalanceCacheSync on
 * one instance at a time. Scheduled only when Redis answered at start (without Redis there is
 * no cache to sync).
 */
@Injectable()
export class BalanceCacheSyncProcessor implements OnApplicationBootstrap {
  private readonly logger = new Logger(BalanceCacheSyncProcessor.name);

  constructor(
    private readonly sync: BalanceCacheSync,
    private readonly runner: JobRunner,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.runner.schedule({
      queue: BALANCE_CACHE_SYNC_QUEUE,
      name: SYNC_BALANCE_CACHE_JOB,
      label: 'Balance cache sync',
      everyMs: this.config.get('BALANCE_CACHE_SYNC_INTERVAL_MS'),
      lockId: JOB_LOCK_IDS.balanceCacheSync,
      redisLock: { name: BALANCE_CACHE_SYNC_LOCK, ttlMs: BALANCE_CACHE_SYNC_LOCK_TTL_MS },
      run: (trigger) => this.syncBalanceCache(trigger),
    });
  }

  syncBalanceCache(job: { id: string | number }): Promise<CacheSyncReport> {
    return loggedRun(this.logger, 'Balance cache sync', job, () => this.sync.syncOnce(), (r, durationMs) => ({
      line: `Balance cache sync finished in ${durationMs} ms: ${r.checked} checked, ${r.repaired} repaired, ${r.warmed} warmed, ${r.removed} foreign keys removed, ${r.failed} failed`,
      fields: { ...r },
      warn: r.repaired > 0 || r.removed > 0 || r.failed > 0,
    }));
  }
}
