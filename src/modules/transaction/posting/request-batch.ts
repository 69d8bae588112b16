import type { PoolClient } from 'pg';
import { AppError } from '../../../common/errors/app-error';
import { HttpStatus } from '@nestjs/common';
import { BatchIdempotency, KeyedAnswer } from '../idempotency/batch-idempotency';
import { IdempotencyRequest } from '../idempotency/idempotency-request';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { toBatchResponse, BatchResponseBody } from '../transaction.mapper';
import { Committable, PostingBatch } from './posting-batch';
import { BatchScope, PostingRepository } from './posting.repository';
import { JobAssertionFailure, JobResult, PostingJob } from './posting.types';

/** POST .../transactions/batch as the engine runs it: every item in one Postgres transaction. */
export interface BatchRequestJob {
  organizationId: string;
  ledgerId: string;
  /** All or nothing (true), or each item alone (false). */
  atomic: boolean;
  /** The request's own key: a resend answers the whole stored response. */
  idempotency?: IdempotencyRequest;
  /** Per item, in request order: its posting, or the refusal found before any balance was read. */
  items: Array<PostingJob | AppError>;
}

export interface RequestAnswer {
  status: number;
  body: BatchResponseBody;
  replayed: boolean;
}

/** The first refused item of an atomic batch: the request is a 422 naming it, and nothing is applied. */
export class BatchItemRefused extends AppError {
  constructor(
    readonly index: number,
    cause: AppError,
  ) {
    super(cause.key, `Item ${index} was refused, so no item of this atomic batch was applied: ${cause.message}`, {
      ...cause.extra,
      details: { ...cause.extra.details, index },
    });
  }

  override get status(): number {
    return HttpStatus.UNPROCESSABLE_ENTITY;
  }
}

/**
 * One batch request inside the engine's transaction: the ledger must be live, the request key
 * is claimed (or answers from its stored response), the items run as one posting batch in
 * request order (items touching the same balances apply in turn), and the whole answer is
 * stored under the request key before COMMIT. Atomic: the first refused item throws, so the
 * transaction rolls back and nothing is applied.
 */
export class RequestBatch {
  constructor(
    private readonly client: PoolClient,
    private readonly repo: PostingRepository,
    private readonly idempotency: IdempotencyRepository,
    private readonly request: BatchRequestJob,
    /** Items already failed by an integrity assertion on an earlier try (independent mode). */
    private readonly failed: ReadonlyMap<number, AppError>,
  ) {}

  async run(): Promise<Committable & { answer: RequestAnswer; applies: boolean }> {
    const { organizationId, ledgerId, idempotency } = this.request;
    const scope = await this.repo.batchScope(this.client, [ledgerId]);
    if (scope.ledgers[0]?.organizationId !== organizationId) throw AppError.notFound('Ledger');
    const key = idempotency && new BatchIdempotency(this.client, this.idempotency, [{ organizationId, ledgerId, idempotency }]);
    if (key) {
      const stored: Array<KeyedAnswer | undefined> = [undefined];
      await key.claim(stored, scope.at);
      const replay = stored[0];
      if (replay && !replay.ok) throw replay.error;
      if (replay?.ok) return { answer: { ...(replay.outcome as RequestAnswer), replayed: true }, applies: false, touched: [] };
    }
    const { results, batch } = await this.post(scope);
    if (this.request.atomic) {
      const refused = results.findIndex((r) => !r.ok);
      if (refused >= 0) throw new BatchItemRefused(refused, (results[refused] as { error: AppError }).error);
    }
    const answer: RequestAnswer = { ...toBatchResponse(this.request.atomic, results), replayed: false };
    if (key) await key.record([{ ok: true, outcome: answer }]);
    return { answer, applies: batch.applies.some(Boolean), touched: batch.touched, proof: batch.proof };
  }

  /** The items that reach the posting batch, run as one; every item's result in request order. */
  private async post(scope: BatchScope) {
    const items = this.request.items;
    const at: number[] = [];
    const jobs: PostingJob[] = [];
    const results: Array<JobResult | undefined> = items.map((item, i) => {
      const refusal = item instanceof AppError ? item : this.failed.get(i);
      if (refusal) return { ok: false, error: refusal };
      at.push(i);
      jobs.push(item as PostingJob);
      return undefined;
    });
    try {
      const batch = jobs.length > 0 ? await new PostingBatch(this.client, this.repo, this.idempotency, jobs, scope).run() : { results: [], applies: [], touched: [] };
      batch.results.forEach((r, j) => (results[at[j]] = r));
      return { results: results as JobResult[], batch };
    } catch (err) {
      // An integrity failure names its job; the engine needs the item.
      if (err instanceof JobAssertionFailure) throw new JobAssertionFailure(at[err.index], err.failure);
      throw err;
    }
  }
}
