import { isoOrNull } from '../../common/time/instant';
import { formatAmount } from '../../common/money/amount';
import { Snapshot } from './domain/leg-plan';
import { mapError } from '../../common/errors/error-response';
import { BatchItemDto, BatchResponseDto, OperationDto, SnapshotDto, TransactionDto } from './dto/transaction.dto';
import { AppError } from '../../common/errors/app-error';
import { OperationRecord, TransactionWithOperations } from './transaction.types';

const STATUS_DESCRIPTIONS: Record<string, string> = {
  APPROVED: 'Transaction approved',
  PENDING: 'Funds held, waiting for commit or cancel',
  CANCELED: 'Hold canceled, funds released',
};

const snapshot = (s: Snapshot): SnapshotDto => ({
  available: formatAmount(s.available),
  onHold: formatAmount(s.onHold),
  version: Number(s.version),
});


export const toOperationDto = (o: OperationRecord): OperationDto => ({
  id: o.id,
  transactionId: o.transactionId,
  description: o.description,
  type: o.type,
  assetCode: o.assetCode,
  chartOfAccounts: o.chartOfAccounts,
  amount: { value: formatAmount(o.amount) },
  balance: snapshot(o.before),
  balanceAfter: snapshot(o.after),
  status: { code: o.status, description: null },
  accountId: o.accountId,
  accountAlias: o.accountAlias,
  balanceId: o.balanceId,
  balanceKey: o.balanceKey,
  balanceAffected: true,
  organizationId: o.organizationId,
  ledgerId: o.ledgerId,
  metadata: o.metadata ?? {},
  createdAt: o.createdAt.toISOString(),
  updatedAt: o.updatedAt.toISOString(),
});

export const toTransactionDto = (t: TransactionWithOperations): TransactionDto => ({
  id: t.id,
  parentTransactionId: t.parentTransactionId,
  description: t.description,
  code: t.code,
  status: { code: t.status, description: t.statusDescription ?? STATUS_DESCRIPTIONS[t.status] ?? null },
  amount: formatAmount(t.amount),
  assetCode: t.assetCode,
  chartOfAccountsGroupName: t.chartOfAccountsGroupName,
  source: t.source,
  destination: t.destination,
  ledgerId: t.ledgerId,
  organizationId: t.organizationId,
  operations: t.operations.map(toOperationDto),
  metadata: t.metadata ?? {},
  expiresAt: isoOrNull(t.expiresAt),
  transactionDate: isoOrNull(t.transactionDate),
  createdAt: t.createdAt.toISOString(),
  updatedAt: t.updatedAt.toISOString(),
  deletedAt: isoOrNull(t.deletedAt),
});

export type BatchResponseBody = BatchResponseDto;

/** The answer of a batch request: each item as its single route would have answered it, in request order. */
type ItemResult = { ok: true; outcome: { status: number; body: TransactionDto; replayed: boolean } } | { ok: false; error: AppError };

export function toBatchResponse(atomic: boolean, results: ItemResult[]): { status: number; body: BatchResponseBody } {
  const items = results.map((r, index): BatchItemDto => {
    if (r.ok) return { index, status: r.outcome.status, transaction: r.outcome.body, ...(r.outcome.replayed ? { replayed: true } : {}) };
    const { status, body } = mapError(r.error);
    return { index, status, error: body };
  });
  return { status: atomic ? 201 : 200, body: { items } };
}
