import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { mapError } from '../../../common/errors/error-response';
import { AppConfig } from '../../../config/app-config';
import { pgPool } from '../../../infrastructure/database/pg-pool';
import { PostingRepository } from './posting.repository';
import { PostingBatch } from './posting-batch';
import { JobAssertionFailure, JobResult, PostingJob, PostingOutcome } from './posting.types';

interface Waiting {
  job: PostingJob;
  resolve: (o: PostingOutcome) => void;
  reject: (e: unknown) => void;
}

/**
 * Group commit (DESIGN section 2): postings wait in a short in-process queue; a batch takes
 * every waiting posting (bounded count and wait), plans them one by one against the locked
 * balances, writes all rows with a constant number of statements and commits once, then
 * answers every request. A refused posting fails alone; nothing is answered before COMMIT.
 */
@Injectable()
export class PostingEngine implements OnModuleDestroy {
  private readonly logger = new Logger(PostingEngine.name);
  private readonly queue: Waiting[] = [];
  private readonly batchMax: number;
  private readonly waitMs: number;
  private readonly maxInFlight: number;
  private inFlight = 0;
  private timer: NodeJS.Timeout | null = null;
  private pool?: Pool;

  constructor(
    config: AppConfig,
    private readonly repo: PostingRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {
    this.batchMax = config.get('POSTING_BATCH_MAX');
    this.waitMs = config.get('POSTING_BATCH_WAIT_MS');
    this.maxInFlight = config.get('POSTING_MAX_IN_FLIGHT');
  }

  submit(job: PostingJob): Promise<PostingOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.schedule();
    });
  }

  async onModuleDestroy(): Promise<void> {
    // Let queued and running batches finish so no accepted request is dropped at shutdown.
    while (this.queue.length > 0 || this.inFlight > 0) {
      this.flush();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private schedule(): void {
    if (this.inFlight >= this.maxInFlight) return; // a finishing batch reschedules
    if (this.queue.length >= this.batchMax) this.flush();
    else if (!this.timer && this.queue.length > 0) this.timer = setTimeout(() => this.flush(), this.waitMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.inFlight < this.maxInFlight && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchMax);
      this.inFlight++;
      void this.run(batch).finally(() => {
        this.inFlight--;
        this.schedule();
      });
    }
  }

  private stats = { batches: 0, postings: 0, ms: 0, since: Date.now() };

  /** A debug line every 5 s: how well postings are being grouped. */
  private observe(size: number, started: number): void {
    const s = this.stats;
    s.batches++;
    s.postings += size;
    s.ms += Date.now() - started;
    if (Date.now() - s.since >= 5000) {
      this.logger.debug(
        `${s.postings} postings in ${s.batches} batches (avg ${(s.postings / s.batches).toFixed(1)} per batch, ${(s.ms / s.batches).toFixed(1)} ms per batch)`,
      );
      this.stats = { batches: 0, postings: 0, ms: 0, since: Date.now() };
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    const started = Date.now();
    try {
      const results = await this.execute(batch.map((w) => w.job));
      this.observe(batch.length, started);
      results.forEach((r, i) => (r.ok ? batch[i].resolve(r.outcome) : batch[i].reject(r.error)));
    } catch (err) {
      if (err instanceof JobAssertionFailure) {
        this.logger.error({ detail: err.failure.detail }, `Posting refused by an integrity assertion: ${err.failure.message}`);
        batch[err.index].reject(err.cause);
        const rest = batch.filter((_, i) => i !== err.index);
        if (rest.length > 0) await this.run(rest);
      } else if (batch.length > 1 && mapError(err).status !== 503) {
        // Unattributed failure (e.g. a constraint): retry each posting alone so only its owner fails.
        this.logger.warn(`Batch of ${batch.length} failed (${(err as Error).message}); retrying postings one by one`);
        for (const w of batch) await this.run([w]);
      } else {
        for (const w of batch) w.reject(err);
      }
    }
  }

  /** Runs one batch in one Postgres transaction. */
  private async execute(jobs: PostingJob[]): Promise<JobResult[]> {
    this.pool ??= pgPool(this.dataSource);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      void client.query('BEGIN'); // queued by pg ahead of the batch's first statement
      const results = await new PostingBatch(client, this.repo, jobs, new Date()).run();
      await client.query('COMMIT');
      return results;
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      throw err;
    } finally {
      client.release(broken);
    }
  }
}
