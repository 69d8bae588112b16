import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { pgPool } from '../database/pg-pool';
import { JOB_LOCK_CLASS, JobRunner, ScheduledJob } from './job-runner';

/**
 * The adapter for a process without Redis: a timer per job; each run first takes a Postgres
 * advisory lock on a connection of its own (pg_try_advisory_lock, released after the run), so
 * instances sharing the database never run one job at the same time, and a run still going
 * when the next tick comes is not started twice in this process either.
 */
@Injectable()
export class InProcessJobRunner extends JobRunner implements OnModuleDestroy {
  readonly kind = 'in-process' as const;
  private readonly logger = new Logger(InProcessJobRunner.name);
  private readonly pool: Pool;
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly running = new Map<string, Promise<void>>();
  private runs = 0;
  private stopped = false;

  constructor(@InjectDataSource() dataSource: DataSource) {
    super();
    this.pool = pgPool(dataSource);
  }

  async schedule(job: ScheduledJob): Promise<void> {
    const timer = setInterval(() => void this.trigger(job), job.everyMs);
    timer.unref();
    this.timers.push(timer);
    this.logger.log(`${job.label} scheduled every ${job.everyMs} ms (in-process, Postgres advisory lock)`);
  }

  /** One tick: the run's promise (resolves whether it ran, was skipped or failed). */
  trigger(job: ScheduledJob): Promise<void> {
    const inFlight = this.running.get(job.queue);
    if (this.stopped || inFlight) return inFlight ?? Promise.resolve();
    const run = this.runLocked(job).finally(() => this.running.delete(job.queue));
    this.running.set(job.queue, run);
    return run;
  }

  /** Stops the timers and waits for the runs in progress, before the services they use go away. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    this.timers.forEach(clearInterval);
    await Promise.all(this.running.values());
  }

  private async runLocked(job: ScheduledJob): Promise<void> {
    const id = `in-process-${++this.runs}`;
    let client;
    try {
      client = await this.pool.connect();
    } catch (err) {
      this.logger.warn(`${job.label} run ${id} skipped: no database connection (${(err as Error).message})`);
      return;
    }
    let released = false;
    try {
      const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [JOB_LOCK_CLASS, job.lockId]);
      if (!rows[0].ok) {
        this.logger.debug(`${job.label} run ${id} skipped: running on another instance`);
        return;
      }
      try {
        await job.run({ id });
      } catch (err) {
        // The job logged its failure; the next tick tries again.
        this.logger.debug(`${job.label} run ${id} failed: ${(err as Error).message}`);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1::int, $2::int)', [JOB_LOCK_CLASS, job.lockId]);
      }
    } catch (err) {
      // A lost connection loses its advisory lock with it: release the client as broken.
      released = true;
      client.release(err as Error);
      this.logger.warn(`${job.label} run ${id} lost its database connection: ${(err as Error).message}`);
    } finally {
      if (!released) client.release();
    }
  }
}
