import { BalanceFoldCheck } from './balance-fold.check';
import { BalanceVersionCheck } from './balance-version.check';
import { CacheDriftCheck } from './cache-drift.check';
import { ReconciliationCheck } from './check';
import { ConservationCheck } from './conservation.check';
import { DanglingOperationsCheck } from './dangling-operations.check';
import { DoubleEntryCheck } from './double-entry.check';
import { HoldCompletenessCheck } from './hold-completeness.check';
import { IdempotencyOrphansCheck } from './idempotency-orphans.check';
import { NonNegativeCheck } from './non-negative.check';
import { OperationChainCheck } from './operation-chain.check';
import { OrphanTransactionsCheck } from './orphan-transactions.check';
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
    new OrphanTransactionsCheck(),
    new DanglingOperationsCheck(),
    new IdempotencyOrphansCheck(),
    new StalePendingCheck(),
    new CacheDriftCheck(),
  ];
}

export type { ReconciliationCheck } from './check';
