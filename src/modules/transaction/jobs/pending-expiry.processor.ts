import { Process, Processor } from '@nestjs/bull';
import { Logger } from '@nestjs/common';
import type { Job } from 'bull';
import { RedisLock } from '../../../infrastructure/redis/redis-lock';
import { EXPIRE_DUE_HOLDS_JOB, PENDING_EXPIRY_LOCK, PENDING_EXPIRY_LOCK_TTL_MS, PENDING_EXPIRY_QUEUE } from './pending-expiry.constants';
import { ExpiryReport, PendingExpiryService } from './pending-expiry.service';

export type ExpiryRunOutcome = ({ ran: true } & ExpiryReport) | { ran: false; reason: string };

/** Runs one expiry pass per repeatable trigger, under a Redis lock (one instance at a time). */
@Processor(PENDING_EXPIRY_QUEUE)
export class PendingExpiryProcessor {
  private readonly logger = new Logger(PendingExpiryProcessor.name);

  constructor(
    private readonly expiry: PendingExpiryService,
    private readonly lock: RedisLock,
  ) {}

  @Process(EXPIRE_DUE_HOLDS_JOB)
  async expireDueHolds(job: Job): Promise<ExpiryRunOutcome> {
    const started = Date.now(); // for the duration only: what is due is decided by the database's clock
    this.logger.log({ jobId: job.id }, 'Pending expiry run started');
    try {
      const run = await this.lock.runExclusive(PENDING_EXPIRY_LOCK, PENDING_EXPIRY_LOCK_TTL_MS, () => this.expiry.expireDueHolds());
      const durationMs = Date.now() - started;
      if (!run.ran) {
        this.logger.log({ jobId: job.id, durationMs, reason: run.reason }, `Pending expiry run skipped (${run.reason})`);
        return { ran: false, reason: run.reason };
      }
      const r = run.result;
      const line = `Pending expiry run finished in ${durationMs} ms: ${r.expired} expired, ${r.skipped} skipped, ${r.failed} failed`;
      const fields = { jobId: job.id, durationMs, ...r };
      if (r.failed > 0) this.logger.warn(fields, line);
      else this.logger.log(fields, line);
      return { ran: true, ...r };
    } catch (err) {
      this.logger.error({ jobId: job.id, durationMs: Date.now() - started, err }, `Pending expiry run failed: ${(err as Error).message}`);
      throw err;
    }
  }
}
