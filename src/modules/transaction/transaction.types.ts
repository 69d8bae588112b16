import { OperationType, TransactionStatus } from './domain/hold-states';
import { Snapshot } from './domain/leg-plan';

export type { TransactionStatus };

/** A transaction row (amounts as exact bigint units). */
export interface TransactionRecord {
  id: string;
  organizationId: string;
  ledgerId: string;
  parentTransactionId: string | null;
  description: string | null;
  code: string | null;
  chartOfAccountsGroupName: string | null;
  status: TransactionStatus;
  statusDescription: string | null;
  amount: bigint;
  assetCode: string;
  source: string[];
  destination: string[];
  /** The resolved legs, kept so a pending transaction can be committed or canceled. */
  body: StoredTransfer;
  metadata: Record<string, unknown>;
  idempotencyKey: string | null;
  expiresAt: Date | null;
  transactionDate: Date | null;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface StoredLeg {
  alias: string;
  balanceKey: string;
  amount: string;
  description?: string;
  chartOfAccounts?: string;
  metadata?: Record<string, unknown>;
}

export interface StoredTransfer {
  asset: string;
  value: string;
  sources: StoredLeg[];
  destinations: StoredLeg[];
}

/** An operation row. */
export interface OperationRecord {
  id: string;
  organizationId: string;
  ledgerId: string;
  transactionId: string;
  balanceId: string;
  accountId: string;
  accountAlias: string;
  balanceKey: string;
  assetCode: string;
  type: OperationType;
  amount: bigint;
  before: Snapshot;
  after: Snapshot;
  description: string | null;
  chartOfAccounts: string | null;
  status: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export interface TransactionWithOperations extends TransactionRecord {
  operations: OperationRecord[];
}
