import { amountFromDb, formatAmount } from '../../../common/money/amount';
import { StoredLeg, StoredTransfer } from '../transaction.types';
import { Leg, Transfer } from './transfer';

const storeLeg = (l: Leg): StoredLeg => ({ ...l, amount: formatAmount(l.amount) });
const loadLeg = (l: StoredLeg): Leg => ({ ...l, amount: amountFromDb(l.amount) });

/** The resolved legs as kept in transactions.body (decimal strings, never numbers). */
export function storeTransfer(t: Transfer): StoredTransfer {
  return {
    asset: t.asset,
    value: formatAmount(t.value),
    sources: t.sources.map(storeLeg),
    destinations: t.destinations.map(storeLeg),
  };
}

export function loadLegs(legs: StoredLeg[]): Leg[] {
  return legs.map(loadLeg);
}

/** Legs swapped: what a revert posts. */
export function reversed(t: Transfer): Transfer {
  return { ...t, sources: t.destinations, destinations: t.sources };
}
