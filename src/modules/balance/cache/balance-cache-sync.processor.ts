import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { RedisLock } from '../../../infrastructure/redis/redis-lock';
import { BALANCE_CACHE_SYNC_LOCK, BALANCE_CACHE_SYNC_LOCK_TTL_MS, BALANCE_CACHE_SYNC_QUEUE, SYNC_BALANCE_CACHE_JOB } from './balance-cache-sync.constants';
import { BalanceCacheSync, CacheSyncReport } from './balance-cache-sync.service';

export type CacheSyncOutcome = ({ ran: true } & CacheSyncReport) | { ran: false; reason: string };

/** Runs one cache-sync pass per repeatable trigger, under a Redis lock (one instance at a time). */
@Processor(BALANCE_CACHE_SYNC_QUEUE)
export class BalanceCacheSyncProcessor {
  private readonly logger = new Logger(BalanceCacheSyncProcessor.name);

  constructor(
    private readonly sync: BalanceCacheSync,
    private readonly lock: RedisLock,
  ) {}

  @Process(SYNC_BALANCE_CACHE_JOB)
  async syncBalanceCache(job: Job): Promise<CacheSyncOutcome> {
    const started = Date.now();
    this.logger.log({ jobId: job.id }, 'Balance cache sync started');
    try {
      const run = await this.lock.runExclusive(BALANCE_CACHE_SYNC_LOCK, BALANCE_CACHE_SYNC_LOCK_TTL_MS, () => this.sync.syncOnce());
      const durationMs = Date.now() - started;
      if (!run.ran) {
        this.logger.log({ jobId: job.id, durationMs, reason: run.reason }, `Balance cache sync skipped (${run.reason})`);
        return { ran: false, reason: run.reason };
      }
      const r = run.result;
      const line = `Balance cache sync finished in ${durationMs} ms: ${r.checked} checked, ${r.repaired} repaired, ${r.warmed} warmed, ${r.removed} foreign keys removed, ${r.failed} failed`;
      const fields = { jobId: job.id, durationMs, ...r };
      if (r.repaired > 0 || r.removed > 0 || r.failed > 0) this.logger.warn(fields, line);
      else this.logger.log(fields, line);
      return { ran: true, ...r };
    } catch (err) {
      this.logger.error({ jobId: job.id, durationMs: Date.now() - started, err }, `Balance cache sync failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
