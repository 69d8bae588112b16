import type { PoolClient } from 'pg';
import { AppError, AssertionFailure } from '../../../common/errors/app-error';
import { Balance } from '../../balance/balance.types';
import { balanceFromRow } from '../../balance/balance.repository';
import { BalanceState } from '../domain/leg-plan';
import { Book, Decision, NamedTransaction, planCreate, planRevert, planSettle } from '../domain/planner';
import { readStoredLegs } from '../domain/stored-transfer';
import { toTransactionDto } from '../transaction.mapper';
import { transactionFromRow } from '../transaction.repository';
import { OperationRecord, TransactionRecord, TransactionWithOperations } from '../transaction.types';
import { TransactionDto } from '../dto/transaction.dto';
import { BatchIdempotency } from '../idempotency/batch-idempotency';
import { IdempotencyRepository } from '../idempotency/idempotency.repository';
import { BalanceKey, BalanceUpdate, BatchScope, PostingRepository, SettledTransaction } from './posting.repository';
import { newTransactionRow, operationRows, revertHeader } from './posting-rows';
import { JobAssertionFailure, JobResult, PostingJob, PostingOutcome, RevertJob, SettleJob } from './posting.types';

const CREATED = 201;
const OK = 200;

const balanceKey = (ledgerId: string, alias: string, key: string) => `${ledgerId}|${alias}|${key}`;
const txKey = (ledgerId: string, id: string) => `${ledgerId}|${id}`;

/** A transaction a job of the batch names (to settle or revert), locked, as the batch has left it so far. */
interface Named {
  record: TransactionRecord;
  operations: OperationRecord[];
  reverted: boolean;
}

/** What a transaction of the engine leaves for after its COMMIT. */
export interface Committable {
  /** Final state of every balance it changed (for the balance cache, after COMMIT). */
  touched: Balance[];
  /** A row it inserts (none when it posts nothing): whether it exists tells whether it committed. */
  proof?: { ledgerId: string; operationId: string };
}

/** What a batch decided: one result per job, and the new states of the balances it changed. */
export interface BatchOutcome extends Committable {
  results: JobResult[];
  /** Per job: its answer holds only if the batch commits (it posts, or follows a job that posts). */
  applies: boolean[];
}

/**
 * One group-commit batch, inside the caller's Postgres transaction. It decides nothing itself:
 * it loads and locks what the jobs name, asks the planner (domain/planner.ts) about each job in
 * order against the running states, and writes every row with one statement per table.
 *   1. scope: the ledgers of the jobs are live (else 404) and the batch's time
 *   2. idempotency: keys claimed, replayed or refused (idempotency/)
 *   3. lock: the named transactions, then every balance any job may touch, in id order
 *   4. plan: each open job through the planner; a refusal changes nothing
 *   5. write: transactions, operations, balances, settled holds, idempotency answers
 */
export class PostingBatch {
  private readonly results: Array<JobResult | undefined>;
  private readonly idempotency: BatchIdempotency<JobResult>;
  /** The locked balances as the jobs planned so far left them. */
  private readonly balances = new Map<string, Balance>();
  /** Version and row address of each locked balance when it was locked. */
  private readonly locked = new Map<string, { version: bigint; rowId: string }>();
  /** Ids of the locked balances whose account is blocked. */
  private readonly blocked = new Set<string>();
  private readonly named = new Map<string, Named>();
  private readonly newTransactions: TransactionRecord[] = [];
  private readonly newOperations: OperationRecord[] = [];
  private readonly settled: SettledTransaction[] = [];
  /** The batch's time, from the database (set by its first statement). */
  private now = new Date(0);

  constructor(
    private readonly client: PoolClient,
    private readonly repo: PostingRepository,
    idempotencyRepo: IdempotencyRepository,
    private readonly jobs: PostingJob[],
    /** The batch's scope when its caller read it already (a batch request): not read again. */
    private readonly scope?: BatchScope,
  ) {
    this.results = new Array(jobs.length);
    this.idempotency = new BatchIdempotency<JobResult>(client, idempotencyRepo, jobs);
  }

  async run(): Promise<BatchOutcome> {
    await this.checkScopes();
    await this.idempotency.claim(this.results, this.now);
    await this.lockTransactions();
    await this.lockBalances();
    const posted = new Set<number>();
    this.jobs.forEach((job, i) => {
      if (!this.open(i)) return;
      this.results[i] = this.post(job, i);
      if (this.results[i]!.ok) posted.add(i);
    });
    await this.write();
    this.idempotency.answerFollowers(this.results);
    const first = this.newOperations[0];
    return {
      results: this.results as JobResult[],
      touched: this.touched(),
      applies: this.jobs.map((_, i) => posted.has(this.idempotency.decidedBy(i))),
      proof: first && { ledgerId: first.ledgerId, operationId: first.id },
    };
  }

  private open(i: number): boolean {
    return !this.results[i] && !this.idempotency.follows(i);
  }

  /**
   * The ledger of each job must exist, be live and belong to the organization of its path: a job
   * naming another organization's ledger is a 404 before anything else (its idempotency key is
   * neither claimed nor replayed). The same statement gives the batch its time.
   */
  private async checkScopes(): Promise<void> {
    const scope = this.scope ?? (await this.repo.batchScope(this.client, [...new Set(this.jobs.map((j) => j.ledgerId))]));
    this.now = scope.at;
    const organizationOf = new Map(scope.ledgers.map((l) => [l.id, l.organizationId]));
    this.jobs.forEach((job, i) => {
      if (organizationOf.get(job.ledgerId) !== job.organizationId) this.results[i] = { ok: false, error: AppError.notFound('Ledger') };
    });
  }

  /** The transactions the open jobs name (once each), whether each was reverted, and the operations of those that need them. */
  private async lockTransactions(): Promise<void> {
    const keys = new Map<string, { ledgerId: string; id: string }>();
    const reverted = new Set<string>();
    this.jobs.forEach((job, i) => {
      if (!this.open(i) || job.kind === 'create') return;
      const k = txKey(job.ledgerId, job.transactionId);
      keys.set(k, { ledgerId: job.ledgerId, id: job.transactionId });
      if (job.kind === 'revert') reverted.add(k);
    });
    if (keys.size === 0) return;
    const rows = await this.repo.lockTransactions(this.client, [...keys.values()]);
    for (const r of rows) this.named.set(txKey(r.ledger_id, r.id), { record: transactionFromRow(r), operations: [], reverted: false });
    const found = (r: { ledger_id: string; id: string }) => ({ ledgerId: r.ledger_id, id: r.id });
    // Whether a revert's parent was reverted already: asked only for the parents of revert jobs.
    const parents = rows.filter((r) => reverted.has(txKey(r.ledger_id, r.id))).map(found);
    for (const p of await this.repo.findRevertedParents(this.client, parents)) this.named.get(txKey(p.ledgerId, p.id))!.reverted = true;
    // Operations of holds (a settle answers with all of them) and of reverted transactions (what a revert moves back).
    const withOperations = rows.filter((r) => r.status_code === 'PENDING' || reverted.has(txKey(r.ledger_id, r.id))).map(found);
    for (const op of await this.repo.operationsOf(this.client, withOperations)) this.named.get(txKey(op.ledgerId, op.transactionId))!.operations.push(op);
  }

  /** Every balance any open job may touch, locked in id order. */
  private async lockBalances(): Promise<void> {
    const keys = new Map<string, BalanceKey>();
    const add = (ledgerId: string, legs: Array<{ alias: string; balanceKey: string }>) => {
      for (const l of legs) keys.set(balanceKey(ledgerId, l.alias, l.balanceKey), { ledgerId, alias: l.alias, key: l.balanceKey });
    };
    this.jobs.forEach((job, i) => {
      if (!this.open(i)) return;
      if (job.kind === 'create') return add(job.ledgerId, [...job.transfer.sources, ...job.transfer.destinations]);
      const named = this.named.get(txKey(job.ledgerId, job.transactionId));
      if (!named) return;
      // The balances of its operations (the books) and, for a hold, the destinations its request
      // names (a revert of a hold this batch commits first needs them too).
      add(job.ledgerId, named.operations.map((o) => ({ alias: o.accountAlias, balanceKey: o.balanceKey })));
      if (named.record.status === 'PENDING') add(job.ledgerId, readStoredLegs(named.record.body?.destinations) ?? []);
    });
    for (const row of await this.repo.lockBalances(this.client, [...keys.values()])) {
      const b = balanceFromRow(row);
      this.balances.set(balanceKey(b.ledgerId, b.alias, b.key), b);
      this.locked.set(b.id, { version: b.version, rowId: row.row_id });
      if (row.account_blocked) this.blocked.add(b.id);
    }
  }

  /** Plans one job against the running states and applies the decision; a refusal changes nothing. */
  private post(job: PostingJob, index: number): JobResult {
    try {
      return { ok: true, outcome: this.apply(job, this.decide(job)) };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err };
      if (err instanceof AssertionFailure) throw new JobAssertionFailure(index, err);
      throw err;
    }
  }

  private decide(job: PostingJob): Decision {
    const book: Book = {
      now: this.now,
      organizationId: job.organizationId,
      lookup: (alias: string, key: string): BalanceState | undefined => {
        const b = this.balances.get(balanceKey(job.ledgerId, alias, key));
        if (!b || b.organizationId !== job.organizationId) return undefined;
        return this.blocked.has(b.id) ? { ...b, blocked: true } : b;
      },
    };
    switch (job.kind) {
      case 'create':
        return planCreate(job.action, { transfer: job.transfer, expiresAt: job.header.expiresAt }, book);
      case 'settle':
        return planSettle(job.action, this.namedView(job), book);
      case 'revert':
        return planRevert(this.namedView(job), book);
    }
  }

  /** What the planner sees of the transaction a job names. */
  private namedView(job: SettleJob | RevertJob): NamedTransaction | undefined {
    const n = this.named.get(txKey(job.ledgerId, job.transactionId));
    if (!n) return undefined;
    return { ...n.record, operations: n.operations, requestedDestinations: readStoredLegs(n.record.body?.destinations), reverted: n.reverted };
  }

  /** Applies a decision to the running states (later jobs of the batch see it) and queues its rows. */
  private apply(job: PostingJob, decision: Decision): PostingOutcome {
    for (const b of decision.plan.balances.values()) {
      const full = b as Balance;
      this.balances.set(balanceKey(full.ledgerId, full.alias, full.key), full);
    }
    const named = job.kind === 'create' ? undefined : this.named.get(txKey(job.ledgerId, job.transactionId))!;
    let answered: TransactionWithOperations;
    if (decision.transition.creates) {
      const header = job.kind === 'create' ? job.header : revertHeader(named!.record);
      const tx = newTransactionRow(job, decision, header, named?.record.id ?? null, this.now);
      tx.operations = operationRows(job, tx.id, decision, this.now);
      this.newTransactions.push(tx);
      this.newOperations.push(...tx.operations);
      if (named) named.reverted = true;
      answered = tx;
    } else {
      const { record } = named!;
      const operations = operationRows(job, record.id, decision, this.now);
      const metadata = decision.transition.metadata ?? {};
      this.newOperations.push(...operations);
      this.settled.push({ ledgerId: record.ledgerId, id: record.id, from: decision.transition.from!, to: decision.transition.to, metadata });
      // Later jobs of this batch see the new status and what it posted (a revert of this commit).
      named!.record = { ...record, status: decision.transition.to, updatedAt: this.now };
      named!.operations = [...named!.operations, ...operations];
      answered = { ...named!.record, metadata: { ...record.metadata, ...metadata }, operations: named!.operations };
    }
    // The response is built on first use: after COMMIT for most postings, so no lock is held
    // while it is mapped; before COMMIT only when an idempotency record must store it.
    let body: TransactionDto | undefined;
    return {
      status: decision.transition.creates ? CREATED : OK,
      replayed: false,
      get body(): TransactionDto {
        return (body ??= toTransactionDto(answered));
      },
    };
  }

  private async write(): Promise<void> {
    await this.repo.writeBatch(this.client, { transactions: this.newTransactions, operations: this.newOperations, balances: this.updates(), at: this.now });
    const settledCount = await this.repo.settleTransactions(this.client, this.settled, this.now);
    if (settledCount !== this.settled.length) {
      throw new AssertionFailure('a locked PENDING transaction changed status inside its batch', { expected: this.settled.length, settledCount });
    }
    await this.idempotency.record(this.results as JobResult[]);
  }

  /** The locked balances whose version moved, with the version they were locked at. */
  private updates(): BalanceUpdate[] {
    const updates: BalanceUpdate[] = [];
    for (const b of this.balances.values()) {
      const original = this.locked.get(b.id);
      if (original && original.version !== b.version) {
        updates.push({ ledgerId: b.ledgerId, id: b.id, rowId: original.rowId, available: b.available, onHold: b.onHold, version: b.version, expectedVersion: original.version });
      }
    }
    return updates;
  }

  /** Balances whose version moved, as written (updated_at is the batch time). */
  private touched(): Balance[] {
    return [...this.balances.values()].filter((b) => this.locked.get(b.id)?.version !== b.version).map((b) => ({ ...b, updatedAt: this.now }));
  }
}
