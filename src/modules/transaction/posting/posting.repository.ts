import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { invariant } from '../../../common/errors/app-error';
import { arrayLiteral, plainArrayLiteral } from '../../../infrastructure/database/array-literal';
import { formatAmount } from '../../../common/money/amount';
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

export interface IdempotencyClaim {
  ledgerId: string;
  key: string;
  organizationId: string;
  requestHash: string;
  expiresAt: Date;
}

export interface StoredIdempotency {
  ledgerId: string;
  key: string;
  requestHash: string;
  responseStatus: number | null;
  response: unknown;
}

export interface IdempotencyResult {
  ledgerId: string;
  key: string;
  transactionId: string;
  status: number;
  response: unknown;
}

const str = (v: bigint) => v.toString();
const json = (v: unknown) => JSON.stringify(v);
/** A row's text[] value, itself an array literal (the column is cast from text in SQL). */
const textArray = (values: string[]) => arrayLiteral(values, (v) => v);

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
  async batchScope(client: PoolClient, ledgerIds: string[]): Promise<{ at: Date; ledgers: Array<{ id: string; organizationId: string }> }> {
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

  /** Claims idempotency keys (sorted, so two batches never wait on each other in a cycle). */
  async claimIdempotencyKeys(client: PoolClient, claims: IdempotencyClaim[]): Promise<Set<string>> {
    if (claims.length === 0) return new Set();
    const sorted = [...claims].sort((a, b) => (a.ledgerId + a.key < b.ledgerId + b.key ? -1 : 1));
    const res = await client.query<{ ledger_id: string; key: string }>({
      name: 'posting_claim_idempotency',
      text: `INSERT INTO idempotency_keys (ledger_id, key, organization_id, request_hash, expires_at)
             SELECT * FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::timestamptz[])
             ON CONFLICT (ledger_id, key) DO UPDATE
               SET organization_id = EXCLUDED.organization_id, request_hash = EXCLUDED.request_hash,
                   expires_at = EXCLUDED.expires_at, transaction_id = NULL, response = NULL,
                   response_status = NULL, created_at = now()
               WHERE idempotency_keys.expires_at < now()
             RETURNING ledger_id, key`,
      values: [
        sorted.map((c) => c.ledgerId),
        sorted.map((c) => c.key),
        sorted.map((c) => c.organizationId),
        sorted.map((c) => c.requestHash),
        sorted.map((c) => c.expiresAt),
      ],
    });
    return new Set(res.rows.map((r) => `${r.ledger_id}|${r.key}`));
  }

  async readIdempotencyKeys(client: PoolClient, keys: Array<{ ledgerId: string; key: string }>): Promise<StoredIdempotency[]> {
    if (keys.length === 0) return [];
    const res = await client.query<{ ledger_id: string; key: string; request_hash: string; response_status: number | null; response: unknown }>({
      name: 'posting_read_idempotency',
      text: `SELECT i.ledger_id, i.key, i.request_hash, i.response_status, i.response
               FROM idempotency_keys i JOIN unnest($1::uuid[], $2::text[]) AS k(ledger_id, key)
                 ON i.ledger_id = k.ledger_id AND i.key = k.key`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.key)],
    });
    return res.rows.map((r) => ({
      ledgerId: r.ledger_id,
      key: r.key,
      requestHash: r.request_hash,
      responseStatus: r.response_status,
      response: r.response,
    }));
  }

  async storeIdempotencyResults(client: PoolClient, results: IdempotencyResult[]): Promise<void> {
    if (results.length === 0) return;
    const res = await client.query({
      name: 'posting_store_idempotency',
      text: `UPDATE idempotency_keys i SET transaction_id = u.transaction_id, response_status = u.status, response = u.response
               FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::int[], $5::jsonb[]) AS u(ledger_id, key, transaction_id, status, response)
              WHERE i.ledger_id = u.ledger_id AND i.key = u.key`,
      values: [
        results.map((r) => r.ledgerId),
        results.map((r) => r.key),
        results.map((r) => r.transactionId),
        results.map((r) => r.status),
        results.map((r) => json(r.response)),
      ],
    });
    invariant(res.rowCount === results.length, 'an idempotency claim vanished inside its batch');
  }

  /** Releases claims whose posting was refused, so the client may retry with the same key. */
  async releaseIdempotencyKeys(client: PoolClient, keys: Array<{ ledgerId: string; key: string }>): Promise<void> {
    if (keys.length === 0) return;
    await client.query({
      name: 'posting_release_idempotency',
      text: `DELETE FROM idempotency_keys i USING unnest($1::uuid[], $2::text[]) AS k(ledger_id, key)
              WHERE i.ledger_id = k.ledger_id AND i.key = k.key AND i.transaction_id IS NULL`,
      values: [keys.map((k) => k.ledgerId), keys.map((k) => k.key)],
    });
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
  async writeBatch(
    client: PoolClient,
    rows: { transactions: TransactionRecord[]; operations: OperationRecord[]; balances: BalanceUpdate[] },
    at: Date,
  ): Promise<void> {
    const { transactions: txs, operations: ops, balances } = rows;
    const res = await client.query<{ transactions: number; operations: number; balances: number }>({
      name: 'posting_write_batch',
      text: `WITH new_transactions AS (
               INSERT INTO transactions (ledger_id, id, organization_id, parent_transaction_id, description, code,
                 chart_of_accounts_group_name, status_code, status_description, amount, asset_code, source, destination,
                 body, metadata, idempotency_key, expires_at, transaction_date, created_at, updated_at)
               SELECT u.ledger_id, u.id, u.organization_id, u.parent_id, u.description, u.code, u.coa_group, u.status,
                      u.status_description, u.amount, u.asset_code,
                      u.source::text[], u.destination::text[],
                      u.body, u.metadata, u.idempotency_key, u.expires_at, u.transaction_date, $46::timestamptz, $46::timestamptz
                 FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::text[], $6::text[], $7::text[], $8::text[],
                             $9::text[], $10::numeric[], $11::text[], $12::text[], $13::text[], $14::jsonb[], $15::jsonb[],
                             $16::text[], $17::timestamptz[], $18::timestamptz[])
                   AS u(ledger_id, id, organization_id, parent_id, description, code, coa_group, status, status_description,
                        amount, asset_code, source, destination, body, metadata, idempotency_key, expires_at, transaction_date)
               RETURNING 1),
             new_operations AS (
               INSERT INTO operations (ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias,
                 balance_key, asset_code, type, amount, available_before, on_hold_before, version_before, available_after,
                 on_hold_after, version_after, description, chart_of_accounts, status_code, metadata, created_at, updated_at)
               SELECT u.*, $46::timestamptz, $46::timestamptz
                 FROM unnest($19::uuid[], $20::uuid[], $21::uuid[], $22::uuid[], $23::uuid[], $24::uuid[], $25::text[],
                             $26::text[], $27::text[], $28::text[], $29::numeric[], $30::numeric[], $31::numeric[], $32::bigint[],
                             $33::numeric[], $34::numeric[], $35::bigint[], $36::text[], $37::text[], $38::text[], $39::jsonb[])
                   AS u(ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias, balance_key,
                        asset_code, type, amount, available_before, on_hold_before, version_before, available_after,
                        on_hold_after, version_after, description, chart_of_accounts, status_code, metadata)
               RETURNING 1),
             new_balances AS (
               UPDATE balances b SET available = u.available, on_hold = u.on_hold, version = u.version, updated_at = $46::timestamptz
                 FROM unnest($40::uuid[], $41::uuid[], $42::numeric[], $43::numeric[], $44::bigint[], $45::bigint[], $47::tid[])
                   AS u(ledger_id, id, available, on_hold, version, expected_version, row_id)
                WHERE b.ctid = u.row_id AND b.ledger_id = u.ledger_id AND b.id = u.id AND b.version = u.expected_version
               RETURNING 1)
           SELECT (SELECT count(*)::int FROM new_transactions) AS transactions,
                  (SELECT count(*)::int FROM new_operations) AS operations,
                  (SELECT count(*)::int FROM new_balances) AS balances`,
      values: [
        plainArrayLiteral(txs, (r) => r.ledgerId),
        plainArrayLiteral(txs, (r) => r.id),
        plainArrayLiteral(txs, (r) => r.organizationId),
        plainArrayLiteral(txs, (r) => r.parentTransactionId),
        arrayLiteral(txs, (r) => r.description),
        arrayLiteral(txs, (r) => r.code),
        arrayLiteral(txs, (r) => r.chartOfAccountsGroupName),
        plainArrayLiteral(txs, (r) => r.status),
        arrayLiteral(txs, (r) => r.statusDescription),
        plainArrayLiteral(txs, (r) => formatAmount(r.amount)),
        arrayLiteral(txs, (r) => r.assetCode),
        arrayLiteral(txs, (r) => textArray(r.source)),
        arrayLiteral(txs, (r) => textArray(r.destination)),
        arrayLiteral(txs, (r) => json(r.body)),
        arrayLiteral(txs, (r) => json(r.metadata)),
        arrayLiteral(txs, (r) => r.idempotencyKey),
        plainArrayLiteral(txs, (r) => r.expiresAt?.toISOString() ?? null),
        plainArrayLiteral(txs, (r) => r.transactionDate?.toISOString() ?? null),
        plainArrayLiteral(ops, (o) => o.ledgerId),
        plainArrayLiteral(ops, (o) => o.id),
        plainArrayLiteral(ops, (o) => o.organizationId),
        plainArrayLiteral(ops, (o) => o.transactionId),
        plainArrayLiteral(ops, (o) => o.balanceId),
        plainArrayLiteral(ops, (o) => o.accountId),
        arrayLiteral(ops, (o) => o.accountAlias),
        arrayLiteral(ops, (o) => o.balanceKey),
        arrayLiteral(ops, (o) => o.assetCode),
        plainArrayLiteral(ops, (o) => o.type),
        plainArrayLiteral(ops, (o) => formatAmount(o.amount)),
        plainArrayLiteral(ops, (o) => formatAmount(o.before.available)),
        plainArrayLiteral(ops, (o) => formatAmount(o.before.onHold)),
        plainArrayLiteral(ops, (o) => str(o.before.version)),
        plainArrayLiteral(ops, (o) => formatAmount(o.after.available)),
        plainArrayLiteral(ops, (o) => formatAmount(o.after.onHold)),
        plainArrayLiteral(ops, (o) => str(o.after.version)),
        arrayLiteral(ops, (o) => o.description),
        arrayLiteral(ops, (o) => o.chartOfAccounts),
        plainArrayLiteral(ops, (o) => o.status),
        arrayLiteral(ops, (o) => json(o.metadata)),
        plainArrayLiteral(balances, (u) => u.ledgerId),
        plainArrayLiteral(balances, (u) => u.id),
        plainArrayLiteral(balances, (u) => formatAmount(u.available)),
        plainArrayLiteral(balances, (u) => formatAmount(u.onHold)),
        plainArrayLiteral(balances, (u) => str(u.version)),
        plainArrayLiteral(balances, (u) => str(u.expectedVersion)),
        at,
        plainArrayLiteral(balances, (u) => u.rowId),
      ],
    });
    const written = res.rows[0];
    invariant(
      written.transactions === txs.length && written.operations === ops.length && written.balances === balances.length,
      'a batch wrote a different number of rows than it planned (a locked balance changed version?)',
      { planned: { transactions: txs.length, operations: ops.length, balances: balances.length }, written },
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

  /** Moves PENDING transactions to their final status; the WHERE guard makes a second settle a no-op. */
  async settleTransactions(
    client: PoolClient,
    rows: Array<{ ledgerId: string; id: string; status: TransactionStatus; metadata: Record<string, unknown> }>,
    at: Date,
  ): Promise<number> {
    if (rows.length === 0) return 0;
    const res = await client.query({
      name: 'posting_settle_transactions',
      text: `UPDATE transactions t SET status_code = u.status, metadata = t.metadata || u.metadata, updated_at = $5
               FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::jsonb[]) AS u(ledger_id, id, status, metadata)
              WHERE t.ledger_id = u.ledger_id AND t.id = u.id AND t.status_code = 'PENDING'`,
      values: [rows.map((r) => r.ledgerId), rows.map((r) => r.id), rows.map((r) => r.status), rows.map((r) => json(r.metadata)), at],
    });
    return res.rowCount ?? 0;
  }
}
