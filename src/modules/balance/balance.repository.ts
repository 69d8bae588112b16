import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { amountFromDb } from '../../common/money/amount';
import { CursorWindow } from '../../common/pagination/cursor';
import { updateReturning } from '../../infrastructure/database/update-returning';
import { Balance, BalanceHistoryEntry } from './balance.types';

export interface BalanceRow {
  id: string;
  organization_id: string;
  ledger_id: string;
  account_id: string;
  alias: string;
  key: string;
  asset_code: string;
  available: string;
  on_hold: string;
  version: string;
  account_type: string;
  allow_sending: boolean;
  allow_receiving: boolean;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

/** The balance columns as BalanceRow expects them, optionally qualified by a table alias. */
export function balanceColumns(t = 'balances'): string {
  return `${t}.id, ${t}.organization_id, ${t}.ledger_id, ${t}.account_id, ${t}.alias, ${t}.key, ${t}.asset_code,
    ${t}.available::text AS available, ${t}.on_hold::text AS on_hold, ${t}.version::text AS version, ${t}.account_type,
    ${t}.allow_sending, ${t}.allow_receiving, ${t}.created_at, ${t}.updated_at, ${t}.deleted_at`;
}

const BALANCE_COLUMNS = balanceColumns();

export function balanceFromRow(r: BalanceRow): Balance {
  return {
    id: r.id,
    organizationId: r.organization_id,
    ledgerId: r.ledger_id,
    accountId: r.account_id,
    alias: r.alias,
    key: r.key,
    assetCode: r.asset_code,
    available: amountFromDb(r.available),
    onHold: amountFromDb(r.on_hold),
    version: BigInt(r.version),
    accountType: r.account_type,
    allowSending: r.allow_sending,
    allowReceiving: r.allow_receiving,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  };
}

export interface NewBalance {
  id: string;
  organizationId: string;
  ledgerId: string;
  accountId: string;
  alias: string;
  key: string;
  assetCode: string;
  accountType: string;
}

/**
 * Whether a PENDING transaction of the ledger names `alias` on either side; given `balanceKey`,
 * only one whose stored legs (body sources or destinations) also name that alias and key.
 */
export async function namedByPendingTransaction(m: EntityManager, ledgerId: string, alias: string, balanceKey?: string): Promise<boolean> {
  const legs =
    balanceKey === undefined
      ? ''
      : `
          AND EXISTS (
            SELECT 1 FROM jsonb_array_elements(
                     CASE WHEN jsonb_typeof(t.body->'sources') = 'array' THEN t.body->'sources' ELSE '[]' END
                     || CASE WHEN jsonb_typeof(t.body->'destinations') = 'array' THEN t.body->'destinations' ELSE '[]' END) l
             WHERE l->>'alias' = $2 AND l->>'balanceKey' = $3)`;
  const rows: unknown[] = await m.query(
    `SELECT 1 FROM transactions t
      WHERE t.ledger_id = $1 AND t.status_code = 'PENDING' AND ($2 = ANY(t.source) OR $2 = ANY(t.destination))${legs}
      LIMIT 1`,
    balanceKey === undefined ? [ledgerId, alias] : [ledgerId, alias, balanceKey],
  );
  return rows.length > 0;
}

/**
 * Balances as of an instant (DESIGN section 8). An operation is stamped with its transaction's
 * time (the batch's `now()`, to the millisecond), and two batches can take their times in one
 * order and lock a balance in the other, so stamps need not rise with versions. A balance at
 * instant T is therefore the state after the longest run of its operations, from version 1,
 * that are all stamped at or before T: the version just below the first one stamped after T.
 * It never counts an operation stamped after T, it never goes back as T grows, and where stamps
 * rise with versions (nearly always) it is simply the last operation stamped at or before T.
 * The history between two instants is the matching run of versions.
 *
 * `$k` is an exclusive instant (T plus one millisecond: rows keep microseconds, requests and
 * responses carry milliseconds). The first version stamped at or after it comes from
 * operations_balance_time_idx (or the version key, whichever the planner finds cheaper); the
 * operation itself from the unique (ledger_id, balance_id, version_after) key.
 */
const firstVersionStampedFrom = (k: string) =>
  `(SELECT min(f.version_after) FROM operations f WHERE f.ledger_id = $1 AND f.balance_id = $2 AND f.created_at >= ${k})`;
/** No version reaches this: "no operation stamped after the instant". */
const NO_VERSION = '9223372036854775807';

/** The balance row (deleted or not) with its state as of $4 (exclusive: the instant plus 1 ms); no row if it did not exist then. */
export const BALANCE_AS_OF_SQL = `
  SELECT ${balanceColumns('b')}, s.available AS at_available, s.on_hold AS at_on_hold, s.version AS at_version,
         s.created_at AS at_stamped
    FROM balances b
    LEFT JOIN LATERAL (
      SELECT o.available_after::text AS available, o.on_hold_after::text AS on_hold, o.version_after::text AS version, o.created_at
        FROM operations o
       WHERE o.ledger_id = $1 AND o.balance_id = $2
         AND o.version_after < COALESCE(${firstVersionStampedFrom('$4')}, ${NO_VERSION})
       ORDER BY o.version_after DESC
       LIMIT 1) s ON true
   WHERE b.ledger_id = $1 AND b.id = $2 AND b.organization_id = $3
     AND b.created_at < $4 AND (b.deleted_at IS NULL OR b.deleted_at >= $4)`;

interface BalanceAsOfRow extends BalanceRow {
  at_available: string | null;
  at_on_hold: string | null;
  at_version: string | null;
  at_stamped: Date | null;
}

export interface BalanceHistoryRange {
  from?: Date;
  to?: Date;
}

interface BalanceHistoryRow {
  id: string;
  transaction_id: string;
  type: string;
  amount: string;
  available: string;
  on_hold: string;
  version: string;
  created_at: Date;
}

/** One page of a balance's history (see firstVersionStampedFrom): the statement and its values. */
export function balanceHistoryQuery(
  ledgerId: string,
  balanceId: string,
  range: BalanceHistoryRange,
  window: CursorWindow,
): { text: string; values: unknown[] } {
  const values: unknown[] = [ledgerId, balanceId];
  const where = ['o.ledger_id = $1', 'o.balance_id = $2'];
  if (range.from) where.push(`o.version_after >= ${firstVersionStampedFrom(`$${values.push(range.from)}`)}`);
  if (range.to) {
    const after = `$${values.push(new Date(range.to.getTime() + 1))}`;
    where.push(`o.version_after < COALESCE(${firstVersionStampedFrom(after)}, ${NO_VERSION})`);
  }
  where.push(
    ...window.keyCondition(
      'o.version_after',
      (id) => `SELECT c.version_after FROM operations c WHERE c.ledger_id = $1 AND c.id = ${id} AND c.balance_id = $2`,
      values,
    ),
  );
  return {
    text: `SELECT o.id, o.transaction_id, o.type, o.amount::text AS amount, o.available_after::text AS available,
                  o.on_hold_after::text AS on_hold, o.version_after::text AS version, o.created_at
             FROM operations o
            WHERE ${where.join(' AND ')}
            ORDER BY o.version_after ${window.direction} LIMIT ${window.fetchLimit}`,
    values,
  };
}

export interface BalanceFilter {
  accountId?: string;
  alias?: string;
}

@Injectable()
export class BalanceRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertZeroBalance(b: NewBalance, manager: EntityManager): Promise<void> {
    await manager.query(
      `INSERT INTO balances (id, organization_id, ledger_id, account_id, alias, key, asset_code, account_type)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [b.id, b.organizationId, b.ledgerId, b.accountId, b.alias, b.key, b.assetCode, b.accountType],
    );
  }

  async findById(orgId: string, ledgerId: string, id: string): Promise<Balance | null> {
    const rows: BalanceRow[] = await this.dataSource.query(
      `SELECT ${BALANCE_COLUMNS} FROM balances
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND deleted_at IS NULL`,
      [ledgerId, id, orgId],
    );
    return rows[0] ? balanceFromRow(rows[0]) : null;
  }

  /** A balance whether deleted or not (its history outlives it). */
  async findIncludingDeleted(orgId: string, ledgerId: string, id: string): Promise<Balance | null> {
    const rows: BalanceRow[] = await this.dataSource.query(
      `SELECT ${BALANCE_COLUMNS} FROM balances WHERE ledger_id = $1 AND id = $2 AND organization_id = $3`,
      [ledgerId, id, orgId],
    );
    return rows[0] ? balanceFromRow(rows[0]) : null;
  }

  /**
   * The balance as it stood at `at` (see firstVersionStampedFrom), or null when it did not
   * exist then: created after `at`, or deleted at or before it. Its flags are today's (they have
   * no history); `updatedAt` is the time of the operation it stood at (its creation at version 0).
   */
  async findAsOf(orgId: string, ledgerId: string, id: string, at: Date): Promise<Balance | null> {
    const rows: BalanceAsOfRow[] = await this.dataSource.query(BALANCE_AS_OF_SQL, [ledgerId, id, orgId, new Date(at.getTime() + 1)]);
    const row = rows[0];
    if (!row) return null;
    const balance = balanceFromRow(row);
    return {
      ...balance,
      available: row.at_available === null ? 0n : amountFromDb(row.at_available),
      onHold: row.at_on_hold === null ? 0n : amountFromDb(row.at_on_hold),
      version: row.at_version === null ? 0n : BigInt(row.at_version),
      updatedAt: row.at_stamped ?? balance.createdAt,
      deletedAt: null,
    };
  }

  /** A page of the balance after each of its operations in the range, by version. */
  async history(ledgerId: string, balanceId: string, range: BalanceHistoryRange, window: CursorWindow): Promise<BalanceHistoryEntry[]> {
    const { text, values } = balanceHistoryQuery(ledgerId, balanceId, range, window);
    const rows: BalanceHistoryRow[] = await this.dataSource.query(text, values);
    return rows.map((r) => ({
      id: r.id,
      transactionId: r.transaction_id,
      type: r.type,
      amount: amountFromDb(r.amount),
      available: amountFromDb(r.available),
      onHold: amountFromDb(r.on_hold),
      version: BigInt(r.version),
      createdAt: r.created_at,
    }));
  }

  /** A page of balances in id (= creation) order, optionally for one account or alias. */
  async list(orgId: string, ledgerId: string, filter: BalanceFilter, window: CursorWindow): Promise<Balance[]> {
    const params: unknown[] = [ledgerId, orgId];
    const where = ['ledger_id = $1', 'organization_id = $2', 'deleted_at IS NULL'];
    if (filter.accountId) where.push(`account_id = $${params.push(filter.accountId)}`);
    if (filter.alias) where.push(`alias = $${params.push(filter.alias)}`);
    where.push(...window.conditions('id', 'created_at', params));
    const rows: BalanceRow[] = await this.dataSource.query(
      `SELECT ${BALANCE_COLUMNS} FROM balances WHERE ${where.join(' AND ')}
        ORDER BY id ${window.direction} LIMIT ${window.fetchLimit}`,
      params,
    );
    return rows.map(balanceFromRow);
  }

  /** Live balances updated since `since`, the most recently updated first (balance cache sync). */
  async findChangedSince(since: Date, limit: number): Promise<Balance[]> {
    const rows: BalanceRow[] = await this.dataSource.query(
      `SELECT ${BALANCE_COLUMNS} FROM balances
        WHERE updated_at >= $1 AND deleted_at IS NULL
        ORDER BY updated_at DESC LIMIT $2`,
      [since, limit],
    );
    return rows.map(balanceFromRow);
  }

  /** Live balances by ledger and id, in any order (balance cache sync). */
  async findByIds(refs: Array<{ ledgerId: string; id: string }>): Promise<Balance[]> {
    if (refs.length === 0) return [];
    const rows: BalanceRow[] = await this.dataSource.query(
      `SELECT ${balanceColumns('b')} FROM balances b
         JOIN unnest($1::uuid[], $2::uuid[]) AS k(ledger_id, id) ON b.ledger_id = k.ledger_id AND b.id = k.id
        WHERE b.deleted_at IS NULL`,
      [refs.map((r) => r.ledgerId), refs.map((r) => r.id)],
    );
    return rows.map(balanceFromRow);
  }

  async setFlags(
    orgId: string,
    ledgerId: string,
    id: string,
    flags: { allowSending?: boolean; allowReceiving?: boolean },
  ): Promise<Balance | null> {
    const rows = await updateReturning<BalanceRow>(
      this.dataSource,
      `UPDATE balances SET allow_sending = COALESCE($4, allow_sending), allow_receiving = COALESCE($5, allow_receiving),
              updated_at = now()
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND deleted_at IS NULL
        RETURNING ${BALANCE_COLUMNS}`,
      [ledgerId, id, orgId, flags.allowSending ?? null, flags.allowReceiving ?? null],
    );
    return rows[0] ? balanceFromRow(rows[0]) : null;
  }

  /**
   * Soft-deletes a balance only if it holds nothing ('not-zero') and no PENDING hold names it
   * ('pending': its commit would credit, or its cancel release, a deleted balance). The check
   * runs under the balance's lock, which a hold being created also takes.
   */
  async softDeleteIfZero(orgId: string, ledgerId: string, id: string): Promise<'deleted' | 'not-found' | 'not-zero' | 'pending'> {
    return this.dataSource.transaction((m) =>
      this.deleteAllIfZero(m, 'ledger_id = $1 AND id = $2 AND organization_id = $3', [ledgerId, id, orgId], async (rows) =>
        // A PENDING transaction naming this balance (its alias and key) in its stored legs, on either side.
        (await namedByPendingTransaction(m, rows[0].ledger_id, rows[0].alias, rows[0].key)) ? 'pending' : null,
      ),
    );
  }

  /**
   * Whether any live balance of the asset exists in the ledger, other than its external
   * account's when that one is zero (an asset with balances must not go: Midaz would strand them).
   */
  async assetInUse(ledgerId: string, assetCode: string, m: EntityManager): Promise<boolean> {
    const [row]: Array<{ any: boolean }> = await m.query(
      `SELECT EXISTS (
         SELECT 1 FROM balances
          WHERE ledger_id = $1 AND asset_code = $2 AND deleted_at IS NULL
            AND NOT (account_type = 'external' AND available = 0 AND on_hold = 0)) AS any`,
      [ledgerId, assetCode],
    );
    return row.any;
  }

  /** Soft-deletes the (zero) external balances of an asset, with the asset. */
  async softDeleteExternalBalances(ledgerId: string, assetCode: string, m: EntityManager): Promise<void> {
    await m.query(
      `UPDATE balances SET deleted_at = now(), updated_at = now()
        WHERE ledger_id = $1 AND asset_code = $2 AND account_type = 'external' AND deleted_at IS NULL AND available = 0 AND on_hold = 0`,
      [ledgerId, assetCode],
    );
  }

  /**
   * Soft-deletes every live balance of an account, inside the caller's transaction, only if
   * all of them hold nothing ('not-zero' otherwise, and nothing changes). An account without
   * live balances answers 'not-found'.
   */
  async softDeleteAccountBalancesIfZero(ledgerId: string, accountId: string, m: EntityManager): Promise<'deleted' | 'not-found' | 'not-zero'> {
    return this.deleteAllIfZero(m, 'ledger_id = $1 AND account_id = $2', [ledgerId, accountId]);
  }

  /** The same for every live balance of a ledger ('not-found' when it has none). */
  async softDeleteLedgerBalancesIfZero(ledgerId: string, m: EntityManager): Promise<'deleted' | 'not-found' | 'not-zero'> {
    return this.deleteAllIfZero(m, 'ledger_id = $1', [ledgerId]);
  }

  /**
   * Locks the live balances matching `where` (id order, as postings lock), and soft-deletes
   * them only if every one is zero. A posting waiting on one of these locks then finds it
   * deleted and refuses the alias.
   */
  private async deleteAllIfZero<R extends string = never>(
    m: EntityManager,
    where: string,
    params: unknown[],
    guard?: (rows: BalanceRow[]) => Promise<R | null>,
  ): Promise<'deleted' | 'not-found' | 'not-zero' | R> {
    // The usual refusal first, without a lock: a ledger holding money is not locked row by row
    // (and its postings held up) only to be refused.
    const [holds]: Array<{ any: boolean }> = await m.query(
      `SELECT EXISTS (SELECT 1 FROM balances WHERE ${where} AND deleted_at IS NULL AND (available <> 0 OR on_hold <> 0)) AS any`,
      params,
    );
    if (holds.any) return 'not-zero';
    const rows: BalanceRow[] = await m.query(
      `SELECT ${BALANCE_COLUMNS} FROM balances WHERE ${where} AND deleted_at IS NULL ORDER BY id FOR UPDATE`,
      params,
    );
    if (rows.length === 0) return 'not-found';
    if (rows.map(balanceFromRow).some((b) => b.available !== 0n || b.onHold !== 0n)) return 'not-zero';
    const refused = guard ? await guard(rows) : null;
    if (refused) return refused;
    await m.query('UPDATE balances SET deleted_at = now(), updated_at = now() WHERE ledger_id = $1 AND id = ANY($2::uuid[])', [
      rows[0].ledger_id,
      rows.map((r) => r.id),
    ]);
    return 'deleted';
  }
}
