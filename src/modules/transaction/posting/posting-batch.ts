import type { PoolClient } from 'pg';
import { newId } from '../../../common/ids';
import { AppError, AssertionFailure } from '../../../common/errors/app-error';
import { Balance } from '../../balance/balance.types';
import { balanceFromRow } from '../../balance/balance.repository';
import { Action, BalanceState, plan, Plan } from '../domain/planner';
import { heldTransfer, postedTransfer } from '../domain/booked-transfer';
import { loadLegs, reversed, storeTransfer } from '../domain/stored-transfer';
import { Leg, Transfer } from '../domain/transfer';
import { TransactionDto } from '../dto/transaction.dto';
import { toTransactionDto } from '../transaction.mapper';
import { transactionFromRow } from '../transaction.repository';
import { OperationRecord, TransactionRecord, TransactionStatus, TransactionWithOperations } from '../transaction.types';
import { BalanceKey, BalanceUpdate, PostingRepository } from './posting.repository';
import { CreateJob, JobAssertionFailure, JobResult, PostingJob, PostingOutcome, RevertJob, SettleJob, TransactionHeader } from './posting.types';

const CREATED = 201;
const OK = 200;

const balanceKey = (ledgerId: string, alias: string, key: string) => `${ledgerId}|${alias}|${key}`;
const txKey = (ledgerId: string, id: string) => `${ledgerId}|${id}`;
const idemKey = (ledgerId: string, key: string) => `${ledgerId}|${key}`;

/** What a job will post once its preconditions are checked. */
interface Posting {
  action: Action;
  transfer: Transfer;
  /** The transaction the operations belong to (new, or the pending one being settled). */
  transaction: TransactionWithOperations;
  isNew: boolean;
  settleTo?: TransactionStatus;
  settleReason?: string;
  /** What later jobs of this batch must see once this posting is planned (never after a refusal). */
  onPlanned?: () => void;
}

/** What a batch decided: one result per job, and the new states of the balances it changed. */
export interface BatchOutcome {
  results: JobResult[];
  /** Final state of every balance the batch changed (for the balance cache, after COMMIT). */
  touched: Balance[];
  /** Per job: its answer holds only if the batch commits (it posts, or follows a job that posts). */
  applies: boolean[];
  /** A row the batch inserts (none when it posts nothing): whether it exists tells whether the batch committed. */
  proof?: { ledgerId: string; operationId: string };
}

/**
 * One group-commit batch, inside the caller's Postgres transaction: claim idempotency keys,
 * lock transactions and balances (id order), plan every job in order against the running
 * balance states, then write everything with one statement per table.
 */
export class PostingBatch {
  private readonly results: Array<JobResult | undefined>;
  private readonly balances = new Map<string, Balance>();
  private readonly originalVersions = new Map<string, { version: bigint; rowId: string }>();
  /** Ids of the locked balances whose account is blocked. */
  private readonly blocked = new Set<string>();
  private readonly lockedTransactions = new Map<string, TransactionRecord>();
  private readonly revertedParents = new Set<string>();
  private readonly priorOperations = new Map<string, OperationRecord[]>();
  private readonly newTransactions: TransactionRecord[] = [];
  private readonly newOperations: OperationRecord[] = [];
  private readonly settled: Array<{ ledgerId: string; id: string; status: TransactionStatus; metadata: Record<string, unknown> }> = [];
  /** Followers of an idempotency key already owned by an earlier job of this batch. */
  private readonly followers = new Map<number, number>();
  private readonly claimedBy = new Map<number, string>();
  /** The batch's time, from the database (set by its first statement). */
  private now = new Date(0);

  constructor(
    private readonly client: PoolClient,
    private readonly repo: PostingRepository,
    private readonly jobs: PostingJob[],
  ) {
    this.results = new Array(jobs.length);
  }

  async run(): Promise<BatchOutcome> {
    await this.checkScopes();
    await this.claimIdempotency();
    await this.lockTransactions();
    await this.lockBalances();
    const posted = new Set<number>();
    this.jobs.forEach((job, i) => {
      if (!this.open(i)) return;
      this.results[i] = this.post(job, i);
      if (this.results[i]!.ok) posted.add(i);
    });
    await this.write();
    this.answerFollowers();
    const applies = this.jobs.map((_, i) => posted.has(i) || posted.has(this.followers.get(i) ?? -1));
    const first = this.newOperations[0];
    return {
      results: this.results as JobResult[],
      touched: this.touched(),
      applies,
      proof: first && { ledgerId: first.ledgerId, operationId: first.id },
    };
  }

  /** Balances whose version moved, as written (updated_at is the batch time). */
  private touched(): Balance[] {
    return [...this.balances.values()]
      .filter((b) => this.originalVersions.get(b.id)?.version !== b.version)
      .map((b) => ({ ...b, updatedAt: this.now }));
  }

  private open(i: number): boolean {
    return !this.results[i] && !this.followers.has(i);
  }

  /**
   * The ledger of each job must exist, be live and belong to the organization of its path: a job
   * naming another organization's ledger is a 404 before anything else (its idempotency key is
   * neither claimed nor replayed). The same statement gives the batch its time.
   */
  private async checkScopes(): Promise<void> {
    const scope = await this.repo.batchScope(this.client, [...new Set(this.jobs.map((j) => j.ledgerId))]);
    this.now = scope.at;
    const organizationOf = new Map(scope.ledgers.map((l) => [l.id, l.organizationId]));
    this.jobs.forEach((job, i) => {
      if (organizationOf.get(job.ledgerId) !== job.organizationId) this.results[i] = { ok: false, error: AppError.notFound('Ledger') };
    });
  }

  private async claimIdempotency(): Promise<void> {
    const owners = new Map<string, number>();
    this.jobs.forEach((job, i) => {
      if (!job.idempotency || this.results[i]) return;
      const k = idemKey(job.ledgerId, job.idempotency.key);
      const owner = owners.get(k);
      if (owner === undefined) owners.set(k, i);
      else this.followers.set(i, owner);
    });
    if (owners.size === 0) return;
    const claims = [...owners.values()].map((i) => {
      const job = this.jobs[i];
      return {
        ledgerId: job.ledgerId,
        key: job.idempotency!.key,
        organizationId: job.organizationId,
        requestHash: job.idempotency!.hash,
        expiresAt: new Date(this.now.getTime() + job.idempotency!.ttlSeconds * 1000),
      };
    });
    const claimed = await this.repo.claimIdempotencyKeys(this.client, claims);
    const taken = [...owners.entries()].filter(([k]) => !claimed.has(k));
    for (const [k, i] of owners) if (claimed.has(k)) this.claimedBy.set(i, k);
    if (taken.length === 0) return;
    const stored = await this.repo.readIdempotencyKeys(
      this.client,
      taken.map(([, i]) => ({ ledgerId: this.jobs[i].ledgerId, key: this.jobs[i].idempotency!.key })),
    );
    const byKey = new Map(stored.map((s) => [idemKey(s.ledgerId, s.key), s]));
    // A key already stored answers each of its requests from the stored record: the owner and
    // its followers alike (a follower with the stored body is a replay even if its owner's body differs).
    const takenOwners = new Map(taken.map(([k, i]) => [i, k]));
    for (const [follower, owner] of this.followers) {
      if (takenOwners.has(owner)) {
        taken.push([takenOwners.get(owner)!, follower]);
        this.followers.delete(follower);
      }
    }
    for (const [k, i] of taken) {
      const s = byKey.get(k);
      if (s && s.requestHash === this.jobs[i].idempotency!.hash && s.response !== null && s.responseStatus !== null) {
        this.results[i] = { ok: true, outcome: { status: s.responseStatus, body: s.response as never, replayed: true } };
      } else {
        this.results[i] = { ok: false, error: keyInUse() };
      }
    }
  }

  private async lockTransactions(): Promise<void> {
    // Once each, however many jobs of the batch name the transaction.
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
    for (const r of rows) this.lockedTransactions.set(txKey(r.ledger_id, r.id), transactionFromRow(r));
    const found = (r: { ledger_id: string; id: string }) => ({ ledgerId: r.ledger_id, id: r.id });
    // Whether a revert's parent was reverted already: asked only for the parents of revert jobs.
    const parents = rows.filter((r) => reverted.has(txKey(r.ledger_id, r.id))).map(found);
    for (const p of await this.repo.findRevertedParents(this.client, parents)) this.revertedParents.add(txKey(p.ledgerId, p.id));
    // Operations of holds (a settle answers with all of them) and of reverted transactions (the
    // balances a revert must find again).
    const withOperations = rows.filter((r) => r.status_code === 'PENDING' || reverted.has(txKey(r.ledger_id, r.id))).map(found);
    for (const op of await this.repo.operationsOf(this.client, withOperations)) {
      const k = txKey(op.ledgerId, op.transactionId);
      this.priorOperations.set(k, [...(this.priorOperations.get(k) ?? []), op]);
    }
  }

  /** Every balance any open job may touch, locked in id order. */
  private async lockBalances(): Promise<void> {
    const keys = new Map<string, BalanceKey>();
    const add = (ledgerId: string, legs: Array<{ alias: string; balanceKey: string }>) => {
      for (const l of legs) keys.set(balanceKey(ledgerId, l.alias, l.balanceKey), { ledgerId, alias: l.alias, key: l.balanceKey });
    };
    this.jobs.forEach((job, i) => {
      if (!this.open(i)) return;
      if (job.kind === 'create') add(job.ledgerId, [...job.transfer.sources, ...job.transfer.destinations]);
      else {
        const tx = this.lockedTransactions.get(txKey(job.ledgerId, job.transactionId));
        if (!tx) return;
        // The balances of its operations (the books) and, for a hold, the destinations it names.
        add(job.ledgerId, (this.priorOperations.get(txKey(tx.ledgerId, tx.id)) ?? []).map((o) => ({ alias: o.accountAlias, balanceKey: o.balanceKey })));
        // (A revert of a hold this batch commits first needs them too.)
        if (tx.status === 'PENDING') add(job.ledgerId, storedDestinations(tx));
      }
    });
    for (const row of await this.repo.lockBalances(this.client, [...keys.values()])) {
      const b = balanceFromRow(row);
      this.balances.set(balanceKey(b.ledgerId, b.alias, b.key), b);
      this.originalVersions.set(b.id, { version: b.version, rowId: row.row_id });
      if (row.account_blocked) this.blocked.add(b.id);
    }
  }

  /** Plans one job against the running states; a refusal changes nothing. */
  private post(job: PostingJob, index: number): JobResult {
    try {
      const posting = this.prepare(job);
      const lookup = (alias: string, key: string): BalanceState | undefined => {
        const b = this.balances.get(balanceKey(job.ledgerId, alias, key));
        if (!b || b.organizationId !== job.organizationId) return undefined;
        return this.blocked.has(b.id) ? { ...b, blocked: true } : b;
      };
      const planned = plan(posting.action, posting.transfer, lookup);
      posting.onPlanned?.();
      return { ok: true, outcome: this.record(job, posting, planned) };
    } catch (err) {
      if (err instanceof AppError) return { ok: false, error: err };
      if (err instanceof AssertionFailure) throw new JobAssertionFailure(index, err);
      throw err;
    }
  }

  private prepare(job: PostingJob): Posting {
    switch (job.kind) {
      case 'create':
        return this.prepareCreate(job);
      case 'settle':
        return this.prepareSettle(job);
      case 'revert':
        return this.prepareRevert(job);
    }
  }

  private newTransaction(job: PostingJob, transfer: Transfer, status: TransactionStatus, header: TransactionHeader, parentId: string | null): TransactionWithOperations {
    return {
      id: newId(),
      organizationId: job.organizationId,
      ledgerId: job.ledgerId,
      parentTransactionId: parentId,
      description: header.description,
      code: header.code,
      chartOfAccountsGroupName: header.chartOfAccountsGroupName,
      status,
      statusDescription: null,
      amount: transfer.value,
      assetCode: transfer.asset,
      source: [...new Set(transfer.sources.map((l) => l.alias))],
      destination: [...new Set(transfer.destinations.map((l) => l.alias))],
      body: storeTransfer(transfer),
      metadata: header.metadata,
      idempotencyKey: job.idempotency?.key ?? null,
      expiresAt: header.expiresAt,
      transactionDate: header.transactionDate,
      createdAt: this.now,
      updatedAt: this.now,
      deletedAt: null,
      operations: [],
    };
  }

  private prepareCreate(job: CreateJob): Posting {
    // The database's clock (the batch's time), never the app host's, says what the future is.
    if (job.header.expiresAt && job.header.expiresAt.getTime() <= this.now.getTime()) {
      throw new AppError('BAD_REQUEST', 'expiresAt must be in the future.', { fields: { expiresAt: 'must be in the future' } });
    }
    const status = job.action === 'hold' ? 'PENDING' : 'APPROVED';
    return {
      action: job.action,
      transfer: job.transfer,
      transaction: this.newTransaction(job, job.transfer, status, job.header, null),
      isNew: true,
    };
  }

  private lockedTransaction(job: SettleJob | RevertJob): TransactionRecord {
    const tx = this.lockedTransactions.get(txKey(job.ledgerId, job.transactionId));
    if (!tx || tx.organizationId !== job.organizationId) throw AppError.notFound('Transaction');
    return tx;
  }

  private prepareSettle(job: SettleJob): Posting {
    const tx = this.lockedTransaction(job);
    if (tx.status !== 'PENDING') {
      throw new AppError('NOT_PENDING', `Transaction ${tx.id} is ${tx.status}, not PENDING.`);
    }
    if (job.action === 'commit' && tx.expiresAt && tx.expiresAt.getTime() <= this.now.getTime()) {
      throw new AppError('HOLD_EXPIRED', `The hold of transaction ${tx.id} expired at ${tx.expiresAt.toISOString()}.`);
    }
    const status: TransactionStatus = job.action === 'commit' ? 'APPROVED' : 'CANCELED';
    const operations = this.priorOperations.get(txKey(tx.ledgerId, tx.id)) ?? [];
    return {
      action: job.action,
      // The books decide what settles: the hold's ON_HOLD operations (a commit's destinations,
      // known only from the request, must total exactly what they hold).
      transfer: heldTransfer(tx, operations, job.action === 'commit' ? requestedDestinations(tx) : null),
      transaction: { ...tx, status, updatedAt: this.now, operations },
      isNew: false,
      settleTo: status,
      settleReason: job.reason,
      // Later jobs of this batch see the new status (a second settle is refused, a revert sees
      // APPROVED): only once the settle itself is planned.
      onPlanned: () => this.lockedTransactions.set(txKey(tx.ledgerId, tx.id), { ...tx, status }),
    };
  }

  private prepareRevert(job: RevertJob): Posting {
    const parent = this.lockedTransaction(job);
    if (parent.parentTransactionId) {
      throw new AppError('IS_REVERT', `Transaction ${parent.id} is itself a revert and cannot be reverted.`);
    }
    if (parent.status !== 'APPROVED') {
      throw new AppError('CANNOT_REVERT', `Only APPROVED transactions can be reverted; ${parent.id} is ${parent.status}.`);
    }
    const key = txKey(parent.ledgerId, parent.id);
    if (this.revertedParents.has(key)) throw new AppError('ALREADY_REVERTED', `Transaction ${parent.id} has already been reverted.`);
    const operations = this.priorOperations.get(key) ?? [];
    // Legs are stored by alias: an alias whose account was deleted and created again now names
    // another balance, which must not pay for (or receive) this revert.
    for (const op of operations) {
      const current = this.balances.get(balanceKey(parent.ledgerId, op.accountAlias, op.balanceKey));
      if (current && current.id !== op.balanceId) {
        throw new AppError('ACCOUNT_REPLACED', `The account ${op.accountAlias} of transaction ${parent.id} was deleted and replaced since; it cannot be reverted.`);
      }
    }
    // What the original moved, from its operations (never from its stored request body).
    const transfer = reversed(postedTransfer(parent, operations));
    const header: TransactionHeader = {
      description: `Revert of transaction ${parent.id}`,
      code: parent.code,
      chartOfAccountsGroupName: parent.chartOfAccountsGroupName,
      metadata: {},
      transactionDate: null,
      expiresAt: null,
    };
    return {
      action: 'direct',
      transfer,
      transaction: this.newTransaction(job, transfer, 'APPROVED', header, parent.id),
      isNew: true,
      onPlanned: () => this.revertedParents.add(key),
    };
  }

  /** Applies a successful plan to the running states and queues its rows. */
  private record(job: PostingJob, posting: Posting, planned: Plan): PostingOutcome {
    for (const b of planned.balances.values()) {
      const full = b as Balance;
      this.balances.set(balanceKey(full.ledgerId, full.alias, full.key), full);
    }
    const tx = posting.transaction;
    const reason = posting.settleReason ? { cancelReason: posting.settleReason } : {};
    const operations: OperationRecord[] = planned.operations.map((o) => ({
      id: newId(),
      organizationId: job.organizationId,
      ledgerId: job.ledgerId,
      transactionId: tx.id,
      balanceId: o.balance.id,
      accountId: o.balance.accountId,
      accountAlias: o.balance.alias,
      balanceKey: o.balance.key,
      assetCode: posting.transfer.asset,
      type: o.type,
      amount: o.amount,
      before: o.before,
      after: o.after,
      description: o.leg.description ?? null,
      chartOfAccounts: o.leg.chartOfAccounts ?? null,
      status: 'APPROVED',
      metadata: o.leg.metadata ?? {},
      createdAt: this.now,
      updatedAt: this.now,
      deletedAt: null,
    }));
    this.newOperations.push(...operations);
    if (posting.isNew) this.newTransactions.push(tx);
    // A revert later in this batch reverts what this settle posted.
    else this.priorOperations.set(txKey(tx.ledgerId, tx.id), [...tx.operations, ...operations]);
    if (posting.settleTo) this.settled.push({ ledgerId: tx.ledgerId, id: tx.id, status: posting.settleTo, metadata: reason });
    const answered: TransactionWithOperations = { ...tx, metadata: { ...tx.metadata, ...reason }, operations: [...tx.operations, ...operations] };
    // The response is built on first use: after COMMIT for most postings, so no lock is held
    // while it is mapped; before COMMIT only when an idempotency record must store it.
    let body: TransactionDto | undefined;
    return {
      status: posting.isNew ? CREATED : OK,
      replayed: false,
      get body(): TransactionDto {
        return (body ??= toTransactionDto(answered));
      },
    };
  }

  private async write(): Promise<void> {
    const updates: BalanceUpdate[] = [];
    for (const b of this.balances.values()) {
      const original = this.originalVersions.get(b.id);
      if (original && original.version !== b.version) {
        updates.push({ ledgerId: b.ledgerId, id: b.id, rowId: original.rowId, available: b.available, onHold: b.onHold, version: b.version, expectedVersion: original.version });
      }
    }
    await this.repo.writeBatch(this.client, { transactions: this.newTransactions, operations: this.newOperations, balances: updates }, this.now);
    const settledCount = await this.repo.settleTransactions(this.client, this.settled, this.now);
    if (settledCount !== this.settled.length) {
      throw new AssertionFailure('a locked PENDING transaction changed status inside its batch', { expected: this.settled.length, settledCount });
    }
    await this.storeIdempotency();
  }

  private async storeIdempotency(): Promise<void> {
    const stored = [];
    const released = [];
    for (const i of this.claimedBy.keys()) {
      const job = this.jobs[i];
      const r = this.results[i];
      if (r?.ok) stored.push({ ledgerId: job.ledgerId, key: job.idempotency!.key, transactionId: r.outcome.body.id, status: r.outcome.status, response: r.outcome.body });
      else released.push({ ledgerId: job.ledgerId, key: job.idempotency!.key });
    }
    await this.repo.storeIdempotencyResults(this.client, stored);
    await this.repo.releaseIdempotencyKeys(this.client, released);
  }

  /** Duplicates of a key inside one batch get their owner's answer (or 409 for another body). */
  private answerFollowers(): void {
    for (const [i, owner] of this.followers) {
      const r = this.results[owner]!;
      if (this.jobs[i].idempotency!.hash !== this.jobs[owner].idempotency!.hash) this.results[i] = { ok: false, error: keyInUse() };
      else this.results[i] = r.ok ? { ok: true, outcome: { ...r.outcome, replayed: true } } : r;
    }
  }
}

/** The destination legs a hold's stored request names (aliases only: amounts are checked when it settles). */
function storedDestinations(tx: TransactionRecord): Array<{ alias: string; balanceKey: string }> {
  const legs = Array.isArray(tx.body?.destinations) ? tx.body.destinations : [];
  return legs.filter((l) => typeof l?.alias === 'string' && typeof l?.balanceKey === 'string');
}

/** A hold's stored destination legs with their amounts; unreadable ones are an integrity failure of this job alone. */
function requestedDestinations(tx: TransactionRecord): Leg[] {
  try {
    return loadLegs(tx.body.destinations);
  } catch {
    throw new AssertionFailure("a hold's stored destinations cannot be read", { transactionId: tx.id });
  }
}

function keyInUse(): AppError {
  return new AppError('IDEMPOTENCY_KEY_IN_USE', 'This X-Idempotency key was already used with a different request body.');
}
