import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { invariant } from '../../../common/errors/app-error';
import { arrayLiteral } from '../../../infrastructure/database/array-literal';
import { UnnestRows } from '../../../infrastructure/database/unnest-rows';
import { formatAmount } from '../../../common/money/amount';
import { isoOrNull } from '../../../common/time/instant';
import { balanceColumns, BalanceRow } from '../../balance/balance.repository';
import { liveLedgers } from '../../scope/live-ledger.sql';
import { OperationRecord, TransactionRecord, TransactionStatus } from '../transaction.types';
import { operationColumns, operationFromRow, OperationRow, transactionColumns, TransactionRow } from '../transaction.repository';

export interface BalanceKey {
  ledgerId: string;
  alias: string;
  key: string;
}

/** A locked balance row and its physical address (`ctid`), valid until the lock is released. */
export interface LockedBalanceRow extends BalanceRow {
  row_id: string;
  /** The blocked flag of the balance's account. */
  account_blocked: boolean;
}

export interface BalanceUpdate {
  ledgerId: string;
  id: string;
  /** The row's ctid from the lock: the UPDATE goes straight to it (a TID scan). */
  rowId: string;
  available: bigint;
  onHold: bigint;
  version: bigint;
  expectedVersion: bigint;
}

/** A batch's time (the database's) and which of its ledgers are live, with their organization. */
export interface BatchScope {
  at: Date;
  ledgers: Array<{ id: string; organizationId: string }>;
}

/** What one posting batch writes, at the batch's time. */
export interface BatchRows {
  transactions: TransactionRecord[];
  operations: OperationRecord[];
  balances: BalanceUpdate[];
  at: Date;
}

const str = (v: bigint) => v.toString();
const json = (v: unknown) => JSON.stringify(v);
/** A row's text[] value, itself an array literal (the column is cast from text in SQL). */
const textArray = (values: string[]) => arrayLiteral(values, (v) => v);

// prettier-ignore
const NEW_TRANSACTIONS = new UnnestRows<TransactionRecord>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (r) => r.ledgerId },
  { name: 'id', type: 'uuid', plain: true, value: (r) => r.id },
  { name: 'organization_id', type: 'uuid', plain: true, value: (r) => r.organizationId },
  { name: 'parent_transaction_id', type: 'uuid', plain: true, value: (r) => r.parentTransactionId },
  { name: 'description', type: 'text', value: (r) => r.description },
  { name: 'code', type: 'text', value: (r) => r.code },
  { name: 'chart_of_accounts_group_name', type: 'text', value: (r) => r.chartOfAccountsGroupName },
  { name: 'status_code', type: 'text', plain: true, value: (r) => r.status },
  { name: 'status_description', type: 'text', value: (r) => r.statusDescription },
  { name: 'amount', type: 'numeric', plain: true, value: (r) => formatAmount(r.amount) },
  { name: 'asset_code', type: 'text', value: (r) => r.assetCode },
  { name: 'source', type: 'text', cast: 'text[]', value: (r) => textArray(r.source) },
  { name: 'destination', type: 'text', cast: 'text[]', value: (r) => textArray(r.destination) },
  { name: 'body', type: 'jsonb', value: (r) => json(r.body) },
  { name: 'metadata', type: 'jsonb', value: (r) => json(r.metadata) },
  { name: 'idempotency_key', type: 'text', value: (r) => r.idempotencyKey },
  { name: 'expires_at', type: 'timestamptz', plain: true, value: (r) => isoOrNull(r.expiresAt) },
  { name: 'transaction_date', type: 'timestamptz', plain: true, value: (r) => isoOrNull(r.transactionDate) },
]);

// prettier-ignore
const NEW_OPERATIONS = new UnnestRows<OperationRecord>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (o) => o.ledgerId },
  { name: 'id', type: 'uuid', plain: true, value: (o) => o.id },
  { name: 'organization_id', type: 'uuid', plain: true, value: (o) => o.organizationId },
  { name: 'transaction_id', type: 'uuid', plain: true, value: (o) => o.transactionId },
  { name: 'balance_id', type: 'uuid', plain: true, value: (o) => o.balanceId },
  { name: 'account_id', type: 'uuid', plain: true, value: (o) => o.accountId },
  { name: 'account_alias', type: 'text', value: (o) => o.accountAlias },
  { name: 'balance_key', type: 'text', value: (o) => o.balanceKey },
  { name: 'asset_code', type: 'text', value: (o) => o.assetCode },
  { name: 'type', type: 'text', plain: true, value: (o) => o.type },
  { name: 'amount', type: 'numeric', plain: true, value: (o) => formatAmount(o.amount) },
  { name: 'available_before', type: 'numeric', plain: true, value: (o) => formatAmount(o.before.available) },
  { name: 'on_hold_before', type: 'numeric', plain: true, value: (o) => formatAmount(o.before.onHold) },
  { name: 'version_before', type: 'bigint', plain: true, value: (o) => str(o.before.version) },
  { name: 'available_after', type: 'numeric', plain: true, value: (o) => formatAmount(o.after.available) },
  { name: 'on_hold_after', type: 'numeric', plain: true, value: (o) => formatAmount(o.after.onHold) },
  { name: 'version_after', type: 'bigint', plain: true, value: (o) => str(o.after.version) },
  { name: 'description', type: 'text', value: (o) => o.description },
  { name: 'chart_of_accounts', type: 'text', value: (o) => o.chartOfAccounts },
  { name: 'status_code', type: 'text', plain: true, value: (o) => o.status },
  { name: 'metadata', type: 'jsonb', value: (o) => json(o.metadata) },
]);

// prettier-ignore
const BALANCE_UPDATES = new UnnestRows<BalanceUpdate>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (u) => u.ledgerId },
  { name: 'id', type: 'uuid', plain: true, value: (u) => u.id },
  { name: 'available', type: 'numeric', plain: true, value: (u) => formatAmount(u.available) },
  { name: 'on_hold', type: 'numeric', plain: true, value: (u) => formatAmount(u.onHold) },
  { name: 'version', type: 'bigint', plain: true, value: (u) => str(u.version) },
  { name: 'expected_version', type: 'bigint', plain: true, value: (u) => str(u.expectedVersion) },
  { name: 'row_id', type: 'tid', plain: true, value: (u) => u.rowId },
]);

/** A named transaction moving from one status to the next (a settled hold). */
export interface SettledTransaction {
  ledgerId: string;
  id: string;
  from: TransactionStatus;
  to: TransactionStatus;
  metadata: Record<string, unknown>;
}

const SETTLED = new UnnestRows<SettledTransaction>([
  { name: 'ledger_id', type: 'uuid', plain: true, value: (r) => r.ledgerId },
  { name: 'id', type: 'uuid', plain: true, value: (r) => r.id },
  { name: 'from_status', type: 'text', plain: true, value: (r) => r.from },
  { name: 'to_status', type: 'text', plain: true, value: (r) => r.to },
  { name: 'metadata', type: 'jsonb', value: (r) => json(r.metadata) },
]);

/** Parameters: the three tables' columns in turn, then the batch time. */
const AT = `$${NEW_TRANSACTIONS.width + NEW_OPERATIONS.width + BALANCE_UPDATES.width + 1}::timestamptz`;
const WRITE_BATCH = `
  WITH new_transactions AS (
    INSERT INTO transactions (${NEW_TRANSACTIONS.names}, created_at, updated_at)
    SELECT ${NEW_TRANSACTIONS.selected}, ${AT}, ${AT} FROM ${NEW_TRANSACTIONS.unnest(1)}
    RETURNING 1),
  new_operations AS (
    INSERT INTO operations (${NEW_OPERATIONS.names}, created_at, updated_at)
    SELECT ${NEW_OPERATIONS.selected}, ${AT}, ${AT} FROM ${NEW_OPERATIONS.unnest(1 + NEW_TRANSACTIONS.width)}
    RETURNING 1),
  new_balances AS (
    UPDATE balances b SET available = u.available, on_hold = u.on_hold, version = u.version, updated_at = ${AT}
      FROM ${BALANCE_UPDATES.unnest(1 + NEW_TRANSACTIONS.width + NEW_OPERATIONS.width)}
     WHERE b.ctid = u.row_id AND b.ledger_id = u.ledger_id AND b.id = u.id AND b.version = u.expected_version
    RETURNING 1)
  SELECT (SELECT count(*)::int FROM new_transactions) AS transactions,
         (SELECT count(*)::int FROM new_operations) AS operations,
         (SELECT count(*)::int FROM new_balances) AS balances`;

/**
 * The SQL of one posting batch: a constant number of statements whatever the batch size
 * (DESIGN section 2). Every method runs on the batch's own client, inside its transaction.
 */
@Injectable()
export class PostingRepository {
  /**
   * The batch's first statement: its time (the database's transaction start, to the millisecond:
   * every row of the batch carries it, so timestamps never depend on an app host's clock) and,
   * of these ledgers, the live ones (ledger and organization not deleted) with their organization.
   */
  async batchScope(client: PoolClient, ledgerIds: string[]): Promise<BatchScope> {
    const res = await client.query<{ at: Date; id: string | null; organization_id: string | null }>({
      name: 'posting_batch_scope',
      text: `SELECT date_trunc('milliseconds', now()) AS at, l.id, l.organization_id
               FROM (SELECT 1) AS one
               LEFT JOIN ${liveLedgers('l', 'o')} ON l.id = ANY($1::uuid[])`,
      values: [ledgerIds],
    });
    const ledgers = res.rows.filter((r) => r.id !== null).map((r) => ({ id: r.id!, organizationId: r.organization_id! }));
    return { at: res.rows[0].at, ledgers };
  }

  /** Locks the transactions to settle (commit/cancel/revert), in id order. */
  async lockTransactions(client: PoolClient, keys: Array<{ ledgerId: string; id: string }>): Promise<TransactionRow[]> {
    if (keys.length === 0) return [];
    const res = await client.query<TransactionRow>({
      name: 'posting_lock_transactions',
      text: `SELECT ${transactionColumns('t')} FROM transactions t
               JOIN unnest($1::uuid[], $2::uuid[]) AS k(ledger_id, id) ON t.ledger_id = k.ledger_id AND t.id = k.id
              WHERE t.deleted_at IS NULL
              ORDER BY t.id FOR UPDATE OF t`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.id)],
    });
    return res.rows;
  }

  /** Which of these transactions already have a revert. */
  async findRevertedParents(client: PoolClient, keys: Array<{ ledgerId: string; id: string }>): Promise<Array<{ ledgerId: string; id: string }>> {
    if (keys.length === 0) return [];
    const res = await client.query<{ ledger_id: string; parent_transaction_id: string }>({
      name: 'posting_reverted_parents',
      text: `SELECT t.ledger_id, t.parent_transaction_id FROM transactions t
               JOIN unnest($1::uuid[], $2::uuid[]) AS k(ledger_id, id)
                 ON t.ledger_id = k.ledger_id AND t.parent_transaction_id = k.id`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.id)],
    });
    return res.rows.map((r) => ({ ledgerId: r.ledger_id, id: r.parent_transaction_id }));
  }

  /** The operations these transactions already have (a settle answers with all of them). */
  async operationsOf(client: PoolClient, keys: Array<{ ledgerId: string; id: string }>): Promise<OperationRecord[]> {
    if (keys.length === 0) return [];
    const res = await client.query<OperationRow>({
      name: 'posting_operations_of',
      text: `SELECT ${operationColumns('o')} FROM operations o
               JOIN unnest($1::uuid[], $2::uuid[]) AS k(ledger_id, id) ON o.ledger_id = k.ledger_id AND o.transaction_id = k.id
              ORDER BY o.id`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.id)],
    });
    return res.rows.map(operationFromRow);
  }

  /**
   * Locks every balance the batch touches, always in id order (no deadlock between batches).
   * Each key is one index probe (LATERAL, OFFSET 0 keeps the planner from turning the probes
   * into a scan of every balance, which it prefers while the table is small): resolve alias and
   * key to an id, sort by id, lock by primary key. Rows come back with their `ctid`, stable while
   * the lock is held, so the batch's UPDATE reaches each row directly.
   */
  async lockBalances(client: PoolClient, keys: BalanceKey[]): Promise<LockedBalanceRow[]> {
    if (keys.length === 0) return [];
    const res = await client.query<LockedBalanceRow>({
      name: 'posting_lock_balances',
      text: `WITH found AS (
               SELECT f.ledger_id, f.id FROM unnest($1::uuid[], $2::text[], $3::text[]) AS k(ledger_id, alias, key)
                 CROSS JOIN LATERAL (
                   SELECT x.ledger_id, x.id, x.deleted_at FROM balances x
                    WHERE x.ledger_id = k.ledger_id AND x.alias = k.alias AND x.key = k.key OFFSET 0) f
                WHERE f.deleted_at IS NULL
                ORDER BY f.id)
             SELECT b.ctid::text AS row_id, ${balanceColumns('b')},
                    coalesce((SELECT a.blocked FROM accounts a WHERE a.id = b.account_id), false) AS account_blocked
               FROM found
               CROSS JOIN LATERAL (
                 SELECT ctid, * FROM balances x WHERE x.ledger_id = found.ledger_id AND x.id = found.id FOR UPDATE) b
              WHERE b.deleted_at IS NULL`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.alias), keys.map((k) => k.key)],
    });
    return res.rows;
  }

  /**
   * All rows of a batch in one statement (one round trip): new transactions, their
   * operations and the new balance states. Each balance must still be at the version the
   * batch read; the counts come back so the caller can assert nothing was skipped.
   */
  async writeBatch(client: PoolClient, rows: BatchRows): Promise<void> {
    const { transactions, operations, balances, at } = rows;
    const res = await client.query<{ transactions: number; operations: number; balances: number }>({
      name: 'posting_write_batch',
      text: WRITE_BATCH,
      values: [...NEW_TRANSACTIONS.values(transactions), ...NEW_OPERATIONS.values(operations), ...BALANCE_UPDATES.values(balances), at],
    });
    const written = res.rows[0];
    const planned = { transactions: transactions.length, operations: operations.length, balances: balances.length };
    invariant(
      written.transactions === planned.transactions && written.operations === planned.operations && written.balances === planned.balances,
      'a batch wrote a different number of rows than it planned (a locked balance changed version?)',
      { planned, written },
    );
  }

  /**
   * Whether a batch whose COMMIT lost its connection committed, read on a fresh connection. The
   * lost backend may still be finishing that COMMIT, or hold the transaction open if COMMIT never
   * reached it: it is ended first (waiting until it is gone), so the read sees the final outcome.
   * `proof` is an operation the batch inserted; the batch is one transaction, so one row tells.
   */
  async batchCommitted(pool: Pool, lostBackendPid: number, proof: { ledgerId: string; operationId: string }): Promise<boolean> {
    const client = await pool.connect();
    try {
      const ended = await client.query<{ ended: boolean }>(
        `SELECT pg_terminate_backend(pid, 5000) AS ended FROM pg_stat_activity
          WHERE pid = $1 AND datname = current_database() AND application_name = current_setting('application_name')`,
        [lostBackendPid],
      );
      if (ended.rows[0] && !ended.rows[0].ended) throw new Error(`backend ${lostBackendPid} of the lost COMMIT did not end`);
      const { rows } = await client.query<{ committed: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM operations WHERE ledger_id = $1 AND id = $2) AS committed`,
        [proof.ledgerId, proof.operationId],
      );
      return rows[0].committed;
    } finally {
      client.release();
    }
  }

  /**
   * Moves named transactions along the state table (domain/hold-states.ts): each row changes
   * only if the transaction still has the status its action starts from, so a second settle of
   * one hold is a no-op; the count tells the caller.
   */
  async settleTransactions(client: PoolClient, rows: SettledTransaction[], at: Date): Promise<number> {
    if (rows.length === 0) return 0;
    const res = await client.query({
      name: 'posting_settle_transactions',
      text: `UPDATE transactions t SET status_code = u.to_status, metadata = t.metadata || u.metadata, updated_at = $${SETTLED.width + 1}
               FROM ${SETTLED.unnest(1)}
              WHERE t.ledger_id = u.ledger_id AND t.id = u.id AND t.status_code = u.from_status`,
      values: [...SETTLED.values(rows), at],
    });
    return res.rowCount ?? 0;
  }
}
