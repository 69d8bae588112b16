import type { PoolClient } from 'pg';
import { AppError } from '../../../common/errors/app-error';
import { IdempotencyRequest } from './idempotency-request';
import { claimKey, IdempotencyRepository } from './idempotency.repository';

/** What idempotency needs of a posting job. */
export interface KeyedJob {
  ledgerId: string;
  organizationId: string;
  idempotency?: IdempotencyRequest;
}

/** An answer a key can store and replay: a posting's, or a whole batch request's. */
export type KeyedAnswer = { ok: true; outcome: { status: number; body: unknown; replayed: boolean } } | { ok: false; error: AppError };

/** The transaction an answer names, if it is one transaction's. */
const transactionOf = (body: unknown): string | null => (body as { id?: unknown })?.id as string | undefined ?? null;

export function keyInUse(): AppError {
  return new AppError('IDEMPOTENCY_KEY_IN_USE', 'This X-Idempotency key was already used with a different request body.');
}

/**
 * The idempotency keys of one posting batch (G6, DESIGN section 2), inside its transaction:
 * - in-batch collapse: jobs sharing a key with an earlier job of the batch follow it and get
 *   its answer (409 for another body);
 * - claim: the first job of each key inserts the key row; a row that is there and unexpired
 *   answers the job (replay of the stored response for the same body, 409 for another);
 * - record: after the writes, each claimed key stores its job's answer, or is released when the
 *   job was refused so the client may retry with the same key.
 * The key row lives in Postgres and is claimed in the applying transaction, so this holds across
 * instances with no lock in Redis.
 */
export class BatchIdempotency<R extends KeyedAnswer = KeyedAnswer> {
  /** Jobs whose key an earlier job of this batch owns: index -> owner index. */
  private readonly followers = new Map<number, number>();
  /** Jobs that claimed their key in this batch. */
  private readonly claimed: number[] = [];

  constructor(
    private readonly client: PoolClient,
    private readonly repo: IdempotencyRepository,
    private readonly jobs: KeyedJob[],
  ) {}

  /** Whether job i waits for an earlier job of this batch that has its key. */
  follows(i: number): boolean {
    return this.followers.has(i);
  }

  /** The job whose posting decides job i's answer (itself, or the owner of its key). */
  decidedBy(i: number): number {
    return this.followers.get(i) ?? i;
  }

  /** Claims the keys of the open jobs (no result yet) at the batch time; answers those a stored key answers. */
  async claim(results: Array<R | undefined>, now: Date): Promise<void> {
    const owners = new Map<string, number>();
    this.jobs.forEach((job, i) => {
      if (!job.idempotency || results[i]) return;
      const k = claimKey(job.ledgerId, job.idempotency.key);
      const owner = owners.get(k);
      if (owner === undefined) owners.set(k, i);
      else this.followers.set(i, owner);
    });
    if (owners.size === 0) return;
    const won = await this.repo.claim(
      this.client,
      [...owners.values()].map((i) => {
        const { ledgerId, organizationId, idempotency } = this.jobs[i];
        return { ledgerId, organizationId, key: idempotency!.key, requestHash: idempotency!.hash, expiresAt: new Date(now.getTime() + idempotency!.ttlSeconds * 1000) };
      }),
    );
    const taken: number[] = [];
    for (const [k, i] of owners) (won.has(k) ? this.claimed : taken).push(i);
    if (taken.length > 0) await this.answerFromStore(taken, results);
  }

  /**
   * A key stored already answers each of its requests from the stored record: the owner and its
   * followers alike (a follower with the stored body is a replay even if its owner's body differs).
   */
  private async answerFromStore(owners: number[], results: Array<R | undefined>): Promise<void> {
    const stored = await this.repo.readStored(
      this.client,
      owners.map((i) => ({ ledgerId: this.jobs[i].ledgerId, key: this.jobs[i].idempotency!.key })),
    );
    const byKey = new Map(stored.map((s) => [claimKey(s.ledgerId, s.key), s]));
    const answered = new Set(owners);
    for (const [follower, owner] of this.followers) {
      if (answered.has(owner)) {
        answered.add(follower);
        this.followers.delete(follower);
      }
    }
    for (const i of answered) {
      const job = this.jobs[i];
      const s = byKey.get(claimKey(job.ledgerId, job.idempotency!.key));
      results[i] =
        s && s.requestHash === job.idempotency!.hash && s.response !== null && s.responseStatus !== null
          ? ({ ok: true, outcome: { status: s.responseStatus, body: s.response, replayed: true } } as R)
          : ({ ok: false, error: keyInUse() } as R);
    }
  }

  /** After the batch's writes: stores the answer of each claimed key's job, or releases the key of a refused one. */
  async record(results: R[]): Promise<void> {
    const stored = [];
    const released = [];
    for (const i of this.claimed) {
      const { ledgerId, idempotency } = this.jobs[i];
      const r = results[i];
      if (r.ok) stored.push({ ledgerId, key: idempotency!.key, transactionId: transactionOf(r.outcome.body), status: r.outcome.status, response: r.outcome.body });
      else released.push({ ledgerId, key: idempotency!.key });
    }
    await this.repo.storeResults(this.client, stored);
    await this.repo.release(this.client, released);
  }

  /** Jobs that followed another of this batch get its answer as a replay (or 409 for another body). */
  answerFollowers(results: Array<R | undefined>): void {
    for (const [i, owner] of this.followers) {
      const r = results[owner]!;
      if (this.jobs[i].idempotency!.hash !== this.jobs[owner].idempotency!.hash) results[i] = { ok: false, error: keyInUse() } as R;
      else results[i] = r.ok ? ({ ...r, outcome: { ...r.outcome, replayed: true } } as R) : r;
    }
  }
}
