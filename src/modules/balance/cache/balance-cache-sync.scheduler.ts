import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { BALANCE_CACHE_SYNC_QUEUE, SYNC_BALANCE_CACHE_JOB } from './balance-cache-sync.constants';

/** How long startup waits for Redis to accept the schedule before going on without it. */
const SCHEDULE_WAIT_MS = 2000;

/**
 * Registers the repeatable trigger of the cache-sync job (it only enqueues; the work is
 * BalanceCacheSync.syncOnce). Every instance registers the same repeat key, so Bull keeps one
 * schedule; a schedule left by an older interval is replaced. The schedule lives in Redis, so
 * a flush or a Redis restart without persistence erases it: each interval the trigger is
 * registered again (Bull ignores a repeat that is already scheduled), which is what lets the
 * job warm the cache after a flush.
 */
@Injectable()
export class BalanceCacheSyncScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BalanceCacheSyncScheduler.name);
  private readonly everyMs: number;
  private keeper?: NodeJS.Timeout;
  private scheduled = false;

  constructor(
    @InjectQueue(BALANCE_CACHE_SYNC_QUEUE) private readonly queue: Queue,
    config: AppConfig,
  ) {
    this.everyMs = config.get('BALANCE_CACHE_SYNC_INTERVAL_MS');
  }

  async onApplicationBootstrap(): Promise<void> {
    // Redis down must not stop the service from starting (G8): wait briefly, then go on.
    const scheduling = this.schedule(true).then(
      () => true,
      (err: Error) => {
        this.logger.warn(`Balance cache sync not scheduled: ${err.message}`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SCHEDULE_WAIT_MS)));
    const done = await Promise.race([scheduling, waited]);
    clearTimeout(timer);
    if (!done) this.logger.warn(`Balance cache sync not scheduled yet after ${SCHEDULE_WAIT_MS} ms (Redis unavailable?); still trying`);
    this.keeper = setInterval(() => {
      this.schedule(false).catch((err: Error) => this.logger.debug(`Balance cache sync schedule not renewed: ${err.message}`));
    }, Math.max(this.everyMs, 1000));
    this.keeper.unref();
  }

  /** Stops taking jobs and waits for a running one, before the database goes away. */
  async onModuleDestroy(): Promise<void> {
    if (this.keeper) clearInterval(this.keeper);
    await this.queue.close();
  }

  private async schedule(replaceOld: boolean): Promise<void> {
    if (replaceOld) {
      for (const r of await this.queue.getRepeatableJobs()) {
        if (r.name === SYNC_BALANCE_CACHE_JOB && Number(r.every) !== this.everyMs) await this.queue.removeRepeatableByKey(r.key);
      }
    }
    await this.queue.add(SYNC_BALANCE_CACHE_JOB, {}, { repeat: { every: this.everyMs } });
    if (!this.scheduled) this.logger.log(`Balance cache sync scheduled every ${this.everyMs} ms`);
    this.scheduled = true;
  }
}
