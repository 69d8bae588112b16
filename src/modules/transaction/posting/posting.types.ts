import { AppError, AssertionFailure } from '../../../common/errors/app-error';
import { CreateAction, SettleAction } from '../domain/hold-states';
import { Transfer } from '../domain/transfer';
import { TransactionDto } from '../dto/transaction.dto';
import { IdempotencyRequest } from '../idempotency/idempotency-request';

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
  action: CreateAction;
  transfer: Transfer;
  header: TransactionHeader;
}

/** Ends a PENDING transaction: commit (APPROVED), cancel or expire (CANCELED). */
export interface SettleJob extends JobBase {
  kind: 'settle';
  action: SettleAction;
  transactionId: string;
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
