import { InjectQueue } from '@nestjs/bull';
import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Queue } from 'bull';
import { AppConfig } from '../../../config/app-config';
import { RECONCILIATION_QUEUE, RUN_RECONCILIATION_JOB } from './reconciliation-job.constants';

/** How long startup waits for Redis to accept the schedule before going on without it. */
const SCHEDULE_WAIT_MS = 2000;

/**
 * Registers the repeatable trigger of reconciliation runs (RECONCILIATION_INTERVAL_MS). It only
 * enqueues; the work is ReconciliationRunner. Every instance registers the same repeat key,
 * so Bull keeps one schedule; a schedule left by another interval is replaced.
 */
@Injectable()
export class ReconciliationJobScheduler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ReconciliationJobScheduler.name);
  private readonly everyMs: number;

  constructor(
    @InjectQueue(RECONCILIATION_QUEUE) private readonly queue: Queue,
    config: AppConfig,
  ) {
    this.everyMs = config.get('RECONCILIATION_INTERVAL_MS');
  }

  async onApplicationBootstrap(): Promise<void> {
    // Redis down must not stop the service from starting (G8): wait briefly, then go on.
    const scheduling = this.schedule().then(
      () => true,
      (err: Error) => {
        this.logger.warn(`Reconciliation not scheduled: ${err.message}`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SCHEDULE_WAIT_MS)));
    const done = await Promise.race([scheduling, waited]);
    clearTimeout(timer);
    if (!done) this.logger.warn(`Reconciliation not scheduled yet after ${SCHEDULE_WAIT_MS} ms (Redis unavailable?); still trying`);
  }

  /** Stops taking jobs and waits for a running one, before the database goes away. */
  async onModuleDestroy(): Promise<void> {
    await this.queue.close();
  }

  private async schedule(): Promise<void> {
    for (const r of await this.queue.getRepeatableJobs()) {
      if (r.name === RUN_RECONCILIATION_JOB && Number(r.every) !== this.everyMs) await this.queue.removeRepeatableByKey(r.key);
    }
    await this.queue.add(RUN_RECONCILIATION_JOB, {}, { repeat: { every: this.everyMs } });
    this.logger.log(`Reconciliation scheduled every ${this.everyMs} ms`);
  }
}
