import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool } from 'pg';
import { Counter, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { isUnavailable, mapError } from '../../../common/errors/error-response';
import { AppConfig } from '../../../config/app-config';
import { pgPool } from '../../../infrastructure/database/pg-pool';
import { answersAfterLostCommit, CommitOutcome } from './lost-commit';
import { PostingRepository } from './posting.repository';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { BalanceCache } from '../../balance/cache/balance-cache';
import { BatchOutcome, PostingBatch } from './posting-batch';
import { JobAssertionFailure, JobResult, PostingJob, PostingOutcome } from './posting.types';

/** Reads of a lost COMMIT's outcome before answering "outcome unknown". */
const LOST_COMMIT_READS = 3;

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

  private readonly batchSize: Histogram;
  private readonly batchSeconds: Histogram;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    config: AppConfig,
    private readonly repo: PostingRepository,
    private readonly idempotency: IdempotencyRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
    registry: Registry,
    private readonly cache: BalanceCache,
  ) {
    this.batchMax = config.get('POSTING_BATCH_MAX');
    this.waitMs = config.get('POSTING_BATCH_WAIT_MS');
    this.maxInFlight = config.get('POSTING_MAX_IN_FLIGHT');
    this.batchSize = new Histogram({
      name: 'ledger_posting_batch_size',
      help: 'Postings per group-commit batch',
      buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'ledger_posting_batch_seconds',
      help: 'Time from taking a batch to its commit (lock, plan, write, commit)',
      buckets: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    });
    this.outcomes = new Counter({
      name: 'ledger_postings_total',
      help: 'Postings by outcome: committed, replayed, refused (4xx) or failed (5xx)',
      labelNames: ['outcome'],
      registers: [registry],
    });
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

  private async run(batch: Waiting[], attempt = 1): Promise<void> {
    const stopTimer = this.batchSeconds.startTimer();
    try {
      const results = await this.execute(batch.map((w) => w.job));
      stopTimer();
      this.batchSize.observe(batch.length);
      results.forEach((r, i) => {
        if (r.ok) {
          this.outcomes.inc({ outcome: r.outcome.replayed ? 'replayed' : 'committed' });
          batch[i].resolve(r.outcome);
        } else {
          this.outcomes.inc({ outcome: r.error.status >= 500 ? 'failed' : 'refused' });
          batch[i].reject(r.error);
        }
      });
    } catch (err) {
      if (err instanceof JobAssertionFailure) {
        this.logger.error({ detail: err.failure.detail }, `Posting refused by an integrity assertion: ${err.failure.message}`);
        this.outcomes.inc({ outcome: 'failed' });
        batch[err.index].reject(err.failure);
        const rest = batch.filter((_, i) => i !== err.index);
        if (rest.length > 0) await this.run(rest);
      } else if (attempt === 1 && isUnavailable(err)) {
        // The connection was lost before COMMIT was sent, so nothing was applied (a lost COMMIT is
        // settled inside execute): once more on a fresh connection, then 503 "not applied".
        this.logger.warn(`Batch of ${batch.length} lost its connection before COMMIT (${(err as Error).message}); retrying once`);
        await this.run(batch, attempt + 1);
      } else if (batch.length > 1 && mapError(err).status !== 503) {
        // Unattributed failure (e.g. a constraint): retry each posting alone so only its owner fails.
        this.logger.warn(`Batch of ${batch.length} failed (${(err as Error).message}); retrying postings one by one`);
        for (const w of batch) await this.run([w]);
      } else {
        this.outcomes.inc({ outcome: 'failed' }, batch.length);
        for (const w of batch) w.reject(err);
      }
    }
  }

  /** Runs one batch in one Postgres transaction. */
  private async execute(jobs: PostingJob[]): Promise<JobResult[]> {
    this.pool ??= pgPool(this.dataSource);
    const client = await this.pool.connect();
    const backendPid = (client as unknown as { processID: number }).processID;
    let broken: Error | undefined;
    let batch: BatchOutcome | undefined;
    let lostAtCommit = false;
    try {
      // Queued by pg ahead of the batch's first statement; if it fails, so does that statement
      // (handled below), so this rejection needs no handler of its own but must not go unhandled.
      client.query('BEGIN').catch(() => undefined);
      batch = await new PostingBatch(client, this.repo, this.idempotency, jobs).run();
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      // Lost before COMMIT was sent: nothing was applied (the caller answers 503). Lost at COMMIT:
      // only Postgres knows, so ask it before answering anyone.
      if (!batch || !isUnavailable(err)) throw err;
      lostAtCommit = true;
      broken ??= err as Error;
    } finally {
      client.release(broken);
    }
    if (lostAtCommit) return this.settleLostCommit(batch, backendPid);
    // Committed: cache the new states before anyone is answered (read-your-writes). Never
    // throws and gives up after the Redis command timeout, so Redis cannot fail a posting.
    await this.cache.storeCommitted(batch.touched);
    return batch.results;
  }

  /** A batch whose COMMIT lost its connection: read its outcome on a fresh connection, then answer. */
  private async settleLostCommit(batch: BatchOutcome, backendPid: number): Promise<JobResult[]> {
    let outcome: CommitOutcome = batch.proof ? 'unknown' : 'rolled-back';
    // A few tries over about a second: the reading connection can fail too while Postgres restarts.
    for (let attempt = 1; batch.proof && outcome === 'unknown' && attempt <= LOST_COMMIT_READS; attempt++) {
      try {
        outcome = (await this.repo.batchCommitted(this.pool!, backendPid, batch.proof)) ? 'committed' : 'rolled-back';
      } catch (err) {
        this.logger.warn(`Reading the outcome of a lost COMMIT failed (try ${attempt} of ${LOST_COMMIT_READS}): ${(err as Error).message}`);
        if (attempt < LOST_COMMIT_READS) await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
    const applying = batch.applies.filter(Boolean).length;
    this.logger.warn({ outcome, postings: applying }, `COMMIT lost its connection; the batch of ${applying} posting(s) is ${outcome}`);
    if (outcome === 'committed') await this.cache.storeCommitted(batch.touched);
    return answersAfterLostCommit(batch.results, batch.applies, outcome);
  }
}
