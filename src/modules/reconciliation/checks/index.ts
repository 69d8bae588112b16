import { BalanceFoldCheck } from './balance-fold.check';
import { BalanceVersionCheck } from './balance-version.check';
import { BodyLegsCheck } from './body-legs.check';
import { CacheDriftCheck } from './cache-drift.check';
import { ReconciliationCheck } from './check';
import { ConservationCheck } from './conservation.check';
import { DanglingOperationsCheck } from './dangling-operations.check';
import { DeletedBalanceCheck } from './deleted-balance.check';
import { DoubleEntryCheck } from './double-entry.check';
import { HoldCompletenessCheck } from './hold-completeness.check';
import { IdempotencyOrphansCheck } from './idempotency-orphans.check';
import { NonNegativeCheck } from './non-negative.check';
import { OperationAccountCheck } from './operation-account.check';
import { OperationChainCheck } from './operation-chain.check';
import { OrphanTransactionsCheck } from './orphan-transactions.check';
import { PendingListsCheck } from './pending-lists.check';
import { StalePendingCheck } from './stale-pending.check';

/** Every check, in the order a run executes them (and a report lists them). */
export function allChecks(): ReconciliationCheck[] {
  return [
    new ConservationCheck(),
    new DoubleEntryCheck(),
    new BalanceFoldCheck(),
    new NonNegativeCheck(),
    new OperationChainCheck(),
    new BalanceVersionCheck(),
    new HoldCompletenessCheck(),
    new BodyLegsCheck(),
    new OperationAccountCheck(),
    new DeletedBalanceCheck(),
    new OrphanTransactionsCheck(),
    new DanglingOperationsCheck(),
    new IdempotencyOrphansCheck(),
    new StalePendingCheck(),
    new PendingListsCheck(),
    new CacheDriftCheck(),
  ];
}

export type { ReconciliationCheck } from './check';
