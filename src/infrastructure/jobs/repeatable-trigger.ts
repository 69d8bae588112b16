import { Logger } from '@nestjs/common';
import type { Queue } from 'bull';

/** How long startup waits for Redis to accept a schedule before going on without it. */
const SCHEDULE_WAIT_MS = 2000;

/**
 * Registers the repeatable trigger of a Bull job (the trigger only enqueues; the work is a
 * service method called by the job's processor). Every instance registers the same repeat
 * key, so Bull keeps one schedule, and a schedule left by another interval is replaced. The
 * schedule lives in Redis, so a flush or a Redis restart without persistence erases it: each
 * interval it is registered again (Bull ignores a repeat that already exists). Redis being
 * down never stops the service from starting (G8).
 */
export class RepeatableTrigger {
  private readonly logger: Logger;
  private keeper?: NodeJS.Timeout;
  private scheduled = false;

  constructor(
    private readonly queue: Queue,
    private readonly jobName: string,
    private readonly everyMs: number,
    private readonly label: string,
  ) {
    this.logger = new Logger(`${label} schedule`);
  }

  async start(): Promise<void> {
    const scheduling = this.schedule(true).then(
      () => true,
      (err: Error) => {
        this.logger.warn(`${this.label} not scheduled: ${err.message}`);
        return true;
      },
    );
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), SCHEDULE_WAIT_MS)));
    const done = await Promise.race([scheduling, waited]);
    clearTimeout(timer);
    if (!done) this.logger.warn(`${this.label} not scheduled yet after ${SCHEDULE_WAIT_MS} ms (Redis unavailable?); still trying`);
    this.keeper = setInterval(() => {
      this.schedule(false).catch((err: Error) => this.logger.debug(`${this.label} schedule not renewed: ${err.message}`));
    }, Math.max(this.everyMs, 1000));
    this.keeper.unref();
  }

  /** Stops renewing the schedule (the queue is closed by its runner). */
  stop(): void {
    if (this.keeper) clearInterval(this.keeper);
  }

  private async schedule(replaceOld: boolean): Promise<void> {
    if (replaceOld) {
      for (const r of await this.queue.getRepeatableJobs()) {
        if (r.name === this.jobName && Number(r.every) !== this.everyMs) await this.queue.removeRepeatableByKey(r.key);
      }
    }
    await this.queue.add(this.jobName, {}, { repeat: { every: this.everyMs } });
    if (!this.scheduled) this.logger.log(`${this.label} scheduled every ${this.everyMs} ms`);
    this.scheduled = true;
  }
}
