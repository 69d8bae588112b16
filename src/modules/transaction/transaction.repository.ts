import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { amountFromDb } from '../../common/money/amount';
import { CursorWindow } from '../../common/pagination/cursor';
import { updateReturning } from '../../infrastructure/database/update-returning';
import { OperationType } from './domain/hold-states';
import { liveLedgers } from '../scope/live-ledger.sql';
import {
  OperationRecord,
  StoredTransfer,
  TransactionRecord,
  TransactionStatus,
  TransactionWithOperations,
} from './transaction.types';

export interface TransactionRow {
  id: string;
  organization_id: string;
  ledger_id: string;
  parent_transaction_id: string | null;
  description: string | null;
  code: string | null;
  chart_of_accounts_group_name: string | null;
  status_code: TransactionStatus;
  status_description: string | null;
  amount: string;
  asset_code: string;
  source: string[];
  destination: string[];
  body: StoredTransfer;
  metadata: Record<string, unknown>;
  idempotency_key: string | null;
  expires_at: Date | null;
  transaction_date: Date | null;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export interface OperationRow {
  id: string;
  organization_id: string;
  ledger_id: string;
  transaction_id: string;
  balance_id: string;
  account_id: string;
  account_alias: string;
  balance_key: string;
  asset_code: string;
  type: OperationType;
  amount: string;
  available_before: string;
  on_hold_before: string;
  version_before: string;
  available_after: string;
  on_hold_after: string;
  version_after: string;
  description: string | null;
  chart_of_accounts: string | null;
  status_code: string;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  deleted_at: Date | null;
}

export function transactionColumns(t = 'transactions'): string {
  return `${t}.id, ${t}.organization_id, ${t}.ledger_id, ${t}.parent_transaction_id, ${t}.description, ${t}.code,
    ${t}.chart_of_accounts_group_name, ${t}.status_code, ${t}.status_description, ${t}.amount::text AS amount,
    ${t}.asset_code, ${t}.source, ${t}.destination, ${t}.body, ${t}.metadata, ${t}.idempotency_key, ${t}.expires_at,
    ${t}.transaction_date, ${t}.created_at, ${t}.updated_at, ${t}.deleted_at`;
}

export function operationColumns(t = 'operations'): string {
  return `${t}.id, ${t}.organization_id, ${t}.ledger_id, ${t}.transaction_id, ${t}.balance_id, ${t}.account_id,
    ${t}.account_alias, ${t}.balance_key, ${t}.asset_code, ${t}.type, ${t}.amount::text AS amount,
    ${t}.available_before::text AS available_before, ${t}.on_hold_before::text AS on_hold_before,
    ${t}.version_before::text AS version_before, ${t}.available_after::text AS available_after,
    ${t}.on_hold_after::text AS on_hold_after, ${t}.version_after::text AS version_after, ${t}.description,
    ${t}.chart_of_accounts, ${t}.status_code, ${t}.metadata, ${t}.created_at, ${t}.updated_at, ${t}.deleted_at`;
}

const OPERATION_COLUMNS = operationColumns();

export function transactionFromRow(r: TransactionRow): TransactionRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    ledgerId: r.ledger_id,
    parentTransactionId: r.parent_transaction_id,
    description: r.description,
    code: r.code,
    chartOfAccountsGroupName: r.chart_of_accounts_group_name,
    status: r.status_code,
    statusDescription: r.status_description,
    amount: amountFromDb(r.amount),
    assetCode: r.asset_code,
    source: r.source,
    destination: r.destination,
    body: r.body,
    metadata: r.metadata,
    idempotencyKey: r.idempotency_key,
    expiresAt: r.expires_at,
    transactionDate: r.transaction_date,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  };
}

export function operationFromRow(r: OperationRow): OperationRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    ledgerId: r.ledger_id,
    transactionId: r.transaction_id,
    balanceId: r.balance_id,
    accountId: r.account_id,
    accountAlias: r.account_alias,
    balanceKey: r.balance_key,
    assetCode: r.asset_code,
    type: r.type,
    amount: amountFromDb(r.amount),
    before: { available: amountFromDb(r.available_before), onHold: amountFromDb(r.on_hold_before), version: BigInt(r.version_before) },
    after: { available: amountFromDb(r.available_after), onHold: amountFromDb(r.on_hold_after), version: BigInt(r.version_after) },
    description: r.description,
    chartOfAccounts: r.chart_of_accounts,
    status: r.status_code,
    metadata: r.metadata,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    deletedAt: r.deleted_at,
  };
}

/** A PENDING transaction past its expiresAt, as the expiry job needs it. */
export interface DueHold {
  organizationId: string;
  ledgerId: string;
  id: string;
  expiresAt: Date;
}

/** Reads and annotation updates of transactions and operations (postings are in PostingRepository). */
@Injectable()
export class TransactionRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async findById(orgId: string, ledgerId: string, id: string): Promise<TransactionWithOperations | null> {
    const rows: TransactionRow[] = await this.dataSource.query(
      `SELECT ${transactionColumns()} FROM transactions
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND deleted_at IS NULL`,
      [ledgerId, id, orgId],
    );
    if (!rows[0]) return null;
    const [tx] = await this.withOperations([transactionFromRow(rows[0])]);
    return tx;
  }

  /** A cursor page of transactions (with their operations), newest first by default. */
  async list(
    orgId: string,
    ledgerId: string,
    metadata: Record<string, string>,
    window: CursorWindow,
  ): Promise<TransactionWithOperations[]> {
    const params: unknown[] = [ledgerId, orgId];
    const where = ['ledger_id = $1', 'organization_id = $2', 'deleted_at IS NULL'];
    for (const [k, v] of Object.entries(metadata)) where.push(`metadata ->> $${params.push(k)} = $${params.push(v)}`);
    where.push(...window.conditions('id', 'created_at', params));
    const rows: TransactionRow[] = await this.dataSource.query(
      `SELECT ${transactionColumns()} FROM transactions WHERE ${where.join(' AND ')}
        ORDER BY id ${window.direction} LIMIT ${window.fetchLimit}`,
      params,
    );
    return this.withOperations(rows.map(transactionFromRow));
  }

  /**
   * PENDING holds whose expiry has passed by the database's clock (now(), never the app
   * host's; `aheadMs` later for tests that act as if time had passed), oldest expiry first, across all live ledgers, after
   * `after` (the last hold of the previous page, so a hold that cannot be canceled never blocks
   * the others). Served by the partial index transactions_pending_expiry_idx (expires_at WHERE
   * status_code = 'PENDING').
   */
  async findExpiredHolds(limit: number, after?: DueHold, aheadMs = 0): Promise<DueHold[]> {
    const rows: Array<{ organization_id: string; ledger_id: string; id: string; expires_at: Date }> = await this.dataSource.query(
      `SELECT t.organization_id, t.ledger_id, t.id, t.expires_at FROM transactions t
         JOIN ${liveLedgers('l', 'o')} ON l.id = t.ledger_id
        WHERE t.status_code = 'PENDING' AND t.expires_at <= now() + make_interval(secs => $1::float8 / 1000) AND t.deleted_at IS NULL
          AND ($3::timestamptz IS NULL OR (t.expires_at, t.id) > ($3::timestamptz, $4::uuid))
        ORDER BY t.expires_at, t.id LIMIT $2`,
      [aheadMs, limit, after?.expiresAt ?? null, after?.id ?? null],
    );
    return rows.map((r) => ({ organizationId: r.organization_id, ledgerId: r.ledger_id, id: r.id, expiresAt: r.expires_at }));
  }

  async updateAnnotations(
    orgId: string,
    ledgerId: string,
    id: string,
    patch: { description?: string; metadata?: Record<string, unknown> },
  ): Promise<boolean> {
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE transactions SET description = COALESCE($4, description), metadata = COALESCE($5::jsonb, metadata), updated_at = now()
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND deleted_at IS NULL RETURNING id`,
      [ledgerId, id, orgId, patch.description ?? null, patch.metadata ? JSON.stringify(patch.metadata) : null],
    );
    return rows.length > 0;
  }

  async listOperationsForAccount(orgId: string, ledgerId: string, accountId: string, window: CursorWindow): Promise<OperationRecord[]> {
    const params: unknown[] = [ledgerId, orgId, accountId];
    const where = ['ledger_id = $1', 'organization_id = $2', 'account_id = $3', 'deleted_at IS NULL'];
    where.push(...window.conditions('id', 'created_at', params));
    const rows: OperationRow[] = await this.dataSource.query(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${where.join(' AND ')}
        ORDER BY id ${window.direction} LIMIT ${window.fetchLimit}`,
      params,
    );
    return rows.map(operationFromRow);
  }

  async findOperation(
    orgId: string,
    ledgerId: string,
    by: { accountId?: string; transactionId?: string },
    id: string,
  ): Promise<OperationRecord | null> {
    const rows: OperationRow[] = await this.dataSource.query(
      `SELECT ${OPERATION_COLUMNS} FROM operations
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND deleted_at IS NULL
          AND ($4::uuid IS NULL OR account_id = $4) AND ($5::uuid IS NULL OR transaction_id = $5)`,
      [ledgerId, id, orgId, by.accountId ?? null, by.transactionId ?? null],
    );
    return rows[0] ? operationFromRow(rows[0]) : null;
  }

  async updateOperationAnnotations(
    orgId: string,
    ledgerId: string,
    transactionId: string,
    id: string,
    patch: { description?: string; metadata?: Record<string, unknown> },
  ): Promise<boolean> {
    const rows = await updateReturning(
      this.dataSource,
      `UPDATE operations SET description = COALESCE($5, description), metadata = COALESCE($6::jsonb, metadata), updated_at = now()
        WHERE ledger_id = $1 AND id = $2 AND organization_id = $3 AND transaction_id = $4 AND deleted_at IS NULL RETURNING id`,
      [ledgerId, id, orgId, transactionId, patch.description ?? null, patch.metadata ? JSON.stringify(patch.metadata) : null],
    );
    return rows.length > 0;
  }

  private async withOperations(txs: TransactionRecord[]): Promise<TransactionWithOperations[]> {
    if (txs.length === 0) return [];
    const rows: OperationRow[] = await this.dataSource.query(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ledger_id = $1 AND transaction_id = ANY($2::uuid[]) ORDER BY id`,
      [txs[0].ledgerId, txs.map((t) => t.id)],
    );
    const byTx = new Map<string, OperationRecord[]>();
    for (const op of rows.map(operationFromRow)) {
      const list = byTx.get(op.transactionId) ?? [];
      list.push(op);
      byTx.set(op.transactionId, list);
    }
    return txs.map((t) => ({ ...t, operations: byTx.get(t.id) ?? [] }));
  }
}
