import { newId } from '../../../common/ids';
import { Decision } from '../domain/planner';
import { storeTransfer } from '../domain/stored-transfer';
import { Transfer } from '../domain/transfer';
import { OperationRecord, TransactionRecord, TransactionWithOperations } from '../transaction.types';
import { PostingJob, TransactionHeader } from './posting.types';

// The rows of one planned posting (pure: new ids and the batch time are its only inputs beyond the plan).

/** A new transaction carrying a decision's operations. */
export function newTransactionRow(
  job: PostingJob,
  decision: Decision,
  header: TransactionHeader,
  parentId: string | null,
  now: Date,
): TransactionWithOperations {
  const transfer: Transfer = decision.transfer;
  return {
    id: newId(),
    organizationId: job.organizationId,
    ledgerId: job.ledgerId,
    parentTransactionId: parentId,
    description: header.description,
    code: header.code,
    chartOfAccountsGroupName: header.chartOfAccountsGroupName,
    status: decision.transition.to,
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
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
    operations: [],
  };
}

/** What a revert's transaction says of itself: it names the original and keeps its code. */
export function revertHeader(original: TransactionRecord): TransactionHeader {
  return {
    description: `Revert of transaction ${original.id}`,
    code: original.code,
    chartOfAccountsGroupName: original.chartOfAccountsGroupName,
    metadata: {},
    transactionDate: null,
    expiresAt: null,
  };
}

/** One operation row per planned operation, in plan order. */
export function operationRows(job: PostingJob, transactionId: string, decision: Decision, now: Date): OperationRecord[] {
  return decision.plan.operations.map((o) => ({
    id: newId(),
    organizationId: job.organizationId,
    ledgerId: job.ledgerId,
    transactionId,
    balanceId: o.balance.id,
    accountId: o.balance.accountId,
    accountAlias: o.balance.alias,
    balanceKey: o.balance.key,
    assetCode: decision.transfer.asset,
    type: o.type,
    amount: o.amount,
    before: o.before,
    after: o.after,
    description: o.leg.description ?? null,
    chartOfAccounts: o.leg.chartOfAccounts ?? null,
    status: 'APPROVED',
    metadata: o.leg.metadata ?? {},
    createdAt: now,
    updatedAt: now,
    deletedAt: null,
  }));
}
