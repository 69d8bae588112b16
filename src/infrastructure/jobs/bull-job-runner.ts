import { getQueueToken } from '@nestjs/bull';
import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Queue } from 'bull';
import { RedisLock } from '../redis/redis-lock';
import { JobRunner, ScheduledJob } from './job-runner';
import { RepeatableTrigger } from './repeatable-trigger';

/**
 * The adapter for a process with Redis: each job is a Bull repeatable job on its own queue
 * (registered by the job's module), processed here with concurrency 1; a job with a redisLock
 * runs under it, so one instance at a time does the work.
 */
@Injectable()
export class BullJobRunner extends JobRunner implements OnModuleDestroy {
  readonly kind = 'bull' as const;
  private readonly logger = new Logger(BullJobRunner.name);
  private readonly triggers: RepeatableTrigger[] = [];
  private readonly queues: Queue[] = [];

  constructor(
    private readonly moduleRef: ModuleRef,
    private readonly lock: RedisLock,
  ) {
    super();
  }

  async schedule(job: ScheduledJob): Promise<void> {
    const queue = this.moduleRef.get<Queue>(getQueueToken(job.queue), { strict: false });
    this.queues.push(queue);
    void queue.process(job.name, 1, (bullJob) => this.runOnce(job, bullJob.id));
    const trigger = new RepeatableTrigger(queue, job.name, job.everyMs, job.label);
    this.triggers.push(trigger);
    await trigger.start();
  }

  /** Stops taking jobs and waits for a running one, before the services it uses go away. */
  async onModuleDestroy(): Promise<void> {
    this.triggers.forEach((t) => t.stop());
    await Promise.all(this.queues.map((q) => q.close()));
  }

  private async runOnce(job: ScheduledJob, id: string | number): Promise<unknown> {
    if (!job.redisLock) return job.run({ id });
    const run = await this.lock.runExclusive(job.redisLock.name, job.redisLock.ttlMs, () => job.run({ id }));
    if (!run.ran) {
      this.logger.log({ jobId: id, reason: run.reason }, `${job.label} run skipped (${run.reason})`);
      return { ran: false, reason: run.reason };
    }
    return { ran: true, ...(run.result as object) };
  }
}
