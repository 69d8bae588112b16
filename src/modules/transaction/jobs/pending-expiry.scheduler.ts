import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { EXPIRE_DUE_HOLDS_JOB, PENDING_EXPIRY_QUEUE } from './pending-expiry.constants';

/** How long startup waits for Redis to accept the schedule before going on without it. */
const SCHEDULE_WAIT_MS = 2000;

/**
 * Registers the repeatable trigger of the pending-expiry job (it only enqueues; the work is
 * PendingExpiryService.expireDueHolds). Every instance registers the same repeat key, so Bull
 * keeps one schedule; a schedule left by an older interval is replaced.
 */
@Injectable()
export class PendingExpiryScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PendingExpiryScheduler.name);
  private readonly everyMs: number;

  constructor(
    @InjectQueue(PENDING_EXPIRY_QUEUE) private readonly queue: Queue,
    config: AppConfig,
  ) {
    this.everyMs = config.get('PENDING_EXPIRY_INTERVAL_MS');
  }

  async onApplicationBootstrap(): Promise<void> {
    // Redis down must not stop the service from starting (G8): wait briefly, then go on.
    const scheduling = this.schedule().then(
      () => true,
      (err: Error) => {
        this.logger.warn(`Pending expiry not scheduled: ${err.message}`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SCHEDULE_WAIT_MS)));
    const done = await Promise.race([scheduling, waited]);
    clearTimeout(timer);
    if (!done) this.logger.warn(`Pending expiry not scheduled yet after ${SCHEDULE_WAIT_MS} ms (Redis unavailable?); still trying`);
  }

  /** Stops taking jobs and waits for a running one, before the engine and the database go away. */
  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }

  private async schedule(): Promise<void> {
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.name === EXPIRE_DUE_HOLDS_JOB && Number(r.every) !== this.everyMs) await this.queue.removeRepeatableByKey(r.key);
    }
    await this.queue.add(EXPIRE_DUE_HOLDS_JOB, {}, { repeat: { every: this.everyMs } });
    this.logger.log(`Pending expiry scheduled every ${this.everyMs} ms`);
  }
}
