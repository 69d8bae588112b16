import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { amountFromDb } from '../../common/money/amount';
import { CursorWindow } from '../../common/pagination/cursor';
import { updateReturning } from '../../infrastructure/database/update-returning';
import { Balance } from './balance.types';

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
