import { amountFromDb, formatAmount } from '../../../common/money/amount';
import { StoredLeg, StoredTransfer } from '../transaction.types';
import { Leg, Transfer } from './transfer';

const storeLeg = (l: Leg): StoredLeg => ({ ...l, amount: formatAmount(l.amount) });

/** The resolved legs as kept in transactions.body (decimal strings, never numbers). */
export function storeTransfer(t: Transfer): StoredTransfer {
  return {
    asset: t.asset,
    value: formatAmount(t.value),
    sources: t.sources.map(storeLeg),
    destinations: t.destinations.map(storeLeg),
  };
}

const isStoredLeg = (l: unknown): l is StoredLeg =>
  typeof l === 'object' &&
  l !== null &&
  typeof (l as StoredLeg).alias === 'string' &&
  typeof (l as StoredLeg).balanceKey === 'string' &&
  typeof (l as StoredLeg).amount === 'string';

/**
 * Legs read back from a stored body (a hold's destinations: the only legs the books do not
 * hold yet). The one reader of stored legs: null when they cannot be read exactly (not an
 * array, a leg without alias or balance key, an amount that is not a positive decimal).
 */
export function readStoredLegs(value: unknown): Leg[] | null {
  if (!Array.isArray(value) || !value.every(isStoredLeg)) return null;
  try {
    const legs = value.map((l) => ({ ...l, amount: amountFromDb(l.amount) }));
    return legs.every((l) => l.amount > 0n) ? legs : null;
  } catch {
    return null;
  }
}

/** Legs swapped: what a revert posts. */
export function reversed(t: Transfer): Transfer {
  return { ...t, sources: t.destinations, destinations: t.sources };
}
