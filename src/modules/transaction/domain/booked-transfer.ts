import { invariant } from '../../../common/errors/app-error';
import { formatAmount } from '../../../common/money/amount';
import { OperationType } from './hold-states';
import { Leg, Transfer } from './transfer';

/**
 * The legs the books hold: what commit and revert post. A transaction's operations are the
 * truth of what it moved; its stored request body is only a record of what was asked, and
 * nothing proves it unchanged (pure, no I/O).
 */
export interface BookedOperation {
  type: OperationType;
  accountAlias: string;
  balanceKey: string;
  assetCode: string;
  amount: bigint;
  description: string | null;
  chartOfAccounts: string | null;
  metadata: Record<string, unknown>;
}

/** One leg per operation of the type, in the order given (the order they were posted in). */
export function legsOf(operations: BookedOperation[], type: OperationType): Leg[] {
  return operations
    .filter((o) => o.type === type)
    .map((o) => ({
      alias: o.accountAlias,
      balanceKey: o.balanceKey,
      amount: o.amount,
      ...(o.description !== null ? { description: o.description } : {}),
      ...(o.chartOfAccounts !== null ? { chartOfAccounts: o.chartOfAccounts } : {}),
      metadata: o.metadata,
    }));
}

const total = (legs: Leg[]): bigint => legs.reduce((sum, l) => sum + l.amount, 0n);

function assertOneAsset(asset: string, operations: BookedOperation[]): void {
  for (const o of operations) invariant(o.assetCode === asset, 'an operation is in another asset than its transaction', { asset, operationAsset: o.assetCode });
}

/**
 * What a commit or cancel of a hold settles: the sources are the hold's ON_HOLD operations.
 * The destinations exist only in the request (a hold credits nobody yet), so a commit takes
 * them from it, but only when they name the transaction's destination accounts and total
 * exactly what the books hold. A cancel (null) credits nobody and needs none.
 */
export function heldTransfer(
  hold: { assetCode: string; destination: string[] },
  operations: BookedOperation[],
  requestedDestinations: Leg[] | null,
): Transfer {
  assertOneAsset(hold.assetCode, operations);
  const sources = legsOf(operations, 'ON_HOLD');
  const value = total(sources);
  invariant(sources.length > 0 && value > 0n, 'a PENDING transaction has no ON_HOLD operation', { asset: hold.assetCode });
  if (requestedDestinations === null) return { asset: hold.assetCode, value, sources, destinations: [] };
  invariant(total(requestedDestinations) === value, "a hold's stored destinations do not total what it holds", {
    held: formatAmount(value),
    destinations: formatAmount(total(requestedDestinations)),
  });
  const named = new Set(hold.destination);
  const requested = new Set(requestedDestinations.map((l) => l.alias));
  invariant(requested.size === named.size && [...requested].every((a) => named.has(a)), "a hold's stored destinations are not its destination accounts", {
    destination: hold.destination,
  });
  return { asset: hold.assetCode, value, sources, destinations: requestedDestinations };
}

/**
 * What a settled transaction moved: its DEBITs are the sources and its CREDITs the
 * destinations (a committed hold's ON_HOLD operations are not money moved again). A revert
 * posts it with the legs swapped.
 */
export function postedTransfer(transaction: { assetCode: string }, operations: BookedOperation[]): Transfer {
  assertOneAsset(transaction.assetCode, operations);
  const sources = legsOf(operations, 'DEBIT');
  const destinations = legsOf(operations, 'CREDIT');
  const value = total(sources);
  invariant(value > 0n && total(destinations) === value, "a transaction's debits and credits do not balance", {
    debits: formatAmount(value),
    credits: formatAmount(total(destinations)),
  });
  return { asset: transaction.assetCode, value, sources, destinations };
}
