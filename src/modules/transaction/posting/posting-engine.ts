import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Pool, PoolClient } from 'pg';
import { Counter, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { isUnavailable, mapError } from '../../../common/errors/error-response';
import { AppConfig } from '../../../config/app-config';
import { pgPool } from '../../../infrastructure/database/pg-pool';
import { AppError } from '../../../common/errors/app-error';
import { answersAfterLostCommit, CommitOutcome, lostCommitError } from './lost-commit';
import { BatchRequestJob, RequestAnswer, RequestBatch } from './request-batch';
import { PostingRepository } from './posting.repository';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { BalanceCache } from '../../balance/cache/balance-cache';
import { Committable, PostingBatch } from './posting-batch';
import { JobAssertionFailure, JobResult, PostingJob, PostingOutcome } from './posting.types';

/** The answer of an item whose posting failed an integrity assertion (details are logged, never sent). */
const integrityFailure = () => new AppError('INTERNAL', 'An unexpected error occurred. The request id identifies it in the logs.');

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
  private readonly maxRequestsInFlight: number;
  private requestsRunning = 0;
  private readonly requestWaiters: Array<() => void> = [];
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
    this.maxRequestsInFlight = config.get('TRANSACTION_BATCH_MAX_IN_FLIGHT');
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
    while (this.queue.length > 0 || this.inFlight > 0 || this.requestsRunning > 0 || this.requestWaiters.length > 0) {
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

  /**
   * Runs a batch request (POST .../transactions/batch): all its items in one Postgres transaction
   * of their own. Lost before COMMIT: once more on a fresh connection. An integrity failure of an
   * item fails that item alone in independent mode (the rest run again without it), the whole
   * request in atomic mode.
   */
  async submitRequest(request: BatchRequestJob): Promise<RequestAnswer> {
    // At most TRANSACTION_BATCH_MAX_IN_FLIGHT at once: each locks many balances, and more of them
    // at a time only queue on each other's row locks (measured: 8 at once were slower than 2).
    while (this.requestsRunning >= this.maxRequestsInFlight) await new Promise<void>((resolve) => this.requestWaiters.push(resolve));
    this.requestsRunning++;
    try {
      return await this.runRequest(request);
    } finally {
      this.requestsRunning--;
      this.requestWaiters.shift()?.();
    }
  }

  private async runRequest(request: BatchRequestJob): Promise<RequestAnswer> {
    const failed = new Map<number, AppError>();
    for (let attempt = 1; ; ) {
      try {
        const { value, outcome } = await this.transact((client) => new RequestBatch(client, this.repo, this.idempotency, request, failed).run());
        this.batchSize.observe(request.items.length);
        if (outcome === 'committed' || !value.applies) return value.answer;
        throw lostCommitError(outcome);
      } catch (err) {
        if (err instanceof JobAssertionFailure) {
          this.logger.error({ detail: err.failure.detail, item: err.index }, `Batch request item refused by an integrity assertion: ${err.failure.message}`);
          if (request.atomic) throw err.failure;
          failed.set(err.index, integrityFailure());
        } else if (attempt === 1 && isUnavailable(err)) {
          this.logger.warn(`Batch request of ${request.items.length} lost its connection before COMMIT (${(err as Error).message}); retrying once`);
          attempt++;
        } else {
          throw err;
        }
      }
    }
  }

  /** Runs one batch in one Postgres transaction. */
  private async execute(jobs: PostingJob[]): Promise<JobResult[]> {
    const { value: batch, outcome } = await this.transact((client) => new PostingBatch(client, this.repo, this.idempotency, jobs).run());
    return answersAfterLostCommit(batch.results, batch.applies, outcome);
  }

  /**
   * One Postgres transaction around `work`. Committed: the new balance states are cached before
   * anyone is answered (read-your-writes; never throws, gives up after the Redis command timeout,
   * so Redis cannot fail a posting). COMMIT lost with its connection: the outcome is read back on
   * a fresh connection first (G11). Lost before COMMIT: nothing was applied; the error is thrown.
   */
  private async transact<T extends Committable>(work: (client: PoolClient) => Promise<T>): Promise<{ value: T; outcome: CommitOutcome }> {
    this.pool ??= pgPool(this.dataSource);
    const client = await this.pool.connect();
    const backendPid = (client as unknown as { processID: number }).processID;
    let broken: Error | undefined;
    let value: T | undefined;
    try {
      // Queued by pg ahead of the work's first statement; if it fails, so does that statement
      // (handled below), so this rejection needs no handler of its own but must not go unhandled.
      client.query('BEGIN').catch(() => undefined);
      value = await work(client);
      await client.query('COMMIT');
    } catch (err) {
      await client.query('ROLLBACK').catch((e: Error) => (broken = e));
      if (!value || !isUnavailable(err)) throw err;
      broken ??= err as Error;
      const outcome = await this.readLostCommit(value, backendPid);
      if (outcome === 'committed') await this.cache.storeCommitted(value.touched);
      return { value, outcome };
    } finally {
      client.release(broken);
    }
    await this.cache.storeCommitted(value.touched);
    return { value, outcome: 'committed' };
  }

  /** Whether the work whose COMMIT lost its connection committed, read on a fresh connection. */
  private async readLostCommit(work: Committable, backendPid: number): Promise<CommitOutcome> {
    let outcome: CommitOutcome = work.proof ? 'unknown' : 'rolled-back';
    // A few tries over about a second: the reading connection can fail too while Postgres restarts.
    for (let attempt = 1; work.proof && outcome === 'unknown' && attempt <= LOST_COMMIT_READS; attempt++) {
      try {
        outcome = (await this.repo.batchCommitted(this.pool!, backendPid, work.proof)) ? 'committed' : 'rolled-back';
      } catch (err) {
        this.logger.warn(`Reading the outcome of a lost COMMIT failed (try ${attempt} of ${LOST_COMMIT_READS}): ${(err as Error).message}`);
        if (attempt < LOST_COMMIT_READS) await new Promise((r) => setTimeout(r, 250 * attempt));
      }
    }
    this.logger.warn({ outcome }, `COMMIT lost its connection; the batch is ${outcome}`);
    return outcome;
  }
}
