import { AppError, AssertionFailure } from '../../../common/errors/app-error';
import { Transfer } from '../domain/transfer';
import { TransactionDto } from '../dto/transaction.dto';

export interface IdempotencyRequest {
  key: string;
  /** SHA-256 of the route and canonical body. */
  hash: string;
  ttlSeconds: number;
}

export interface TransactionHeader {
  description: string | null;
  code: string | null;
  chartOfAccountsGroupName: string | null;
  metadata: Record<string, unknown>;
  transactionDate: Date | null;
  expiresAt: Date | null;
}

interface JobBase {
  organizationId: string;
  ledgerId: string;
  idempotency?: IdempotencyRequest;
}

/** A new transaction: applied directly (APPROVED) or as a hold (PENDING). */
export interface CreateJob extends JobBase {
  kind: 'create';
  action: 'direct' | 'hold';
  transfer: Transfer;
  header: TransactionHeader;
}

/** Ends a PENDING transaction: commit (APPROVED) or cancel/expiry (CANCELED). */
export interface SettleJob extends JobBase {
  kind: 'settle';
  action: 'commit' | 'cancel';
  transactionId: string;
  /** Recorded in the transaction's metadata (e.g. expiry). */
  reason?: string;
}

/** A new APPROVED transaction with the legs of an APPROVED one swapped. */
export interface RevertJob extends JobBase {
  kind: 'revert';
  transactionId: string;
}

export type PostingJob = CreateJob | SettleJob | RevertJob;

export interface PostingOutcome {
  status: number;
  body: TransactionDto;
  /** true when answered from a stored idempotency record. */
  replayed: boolean;
}

export type JobResult = { ok: true; outcome: PostingOutcome } | { ok: false; error: AppError };

/** An assertion failure traced to one job of a batch: that job fails, the others are retried. */
export class JobAssertionFailure extends Error {
  constructor(
    readonly index: number,
    readonly failure: AssertionFailure,
  ) {
    super(failure.message);
  }
}
