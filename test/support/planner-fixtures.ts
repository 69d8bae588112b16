import { AppError } from '../../src/common/errors/app-error';
import { ErrorKey } from '../../src/common/errors/error-codes';
import { amountFromDb } from '../../src/common/money/amount';
import { BalanceLookup, BalanceState } from '../../src/modules/transaction/domain/leg-plan';
import { DEFAULT_BALANCE_KEY, Leg, Transfer } from '../../src/modules/transaction/domain/transfer';

/** Pure fixtures of the planner's unit specs (no database). */

export const ASSET = 'USD';
/** Exact units from a decimal string (negative allowed, for external accounts). */
export const u = (v: string) => amountFromDb(v);

export function balance(alias: string, over: Partial<BalanceState> = {}): BalanceState {
  return {
    id: `bal-${alias}-${over.key ?? DEFAULT_BALANCE_KEY}`,
    accountId: `acc-${alias}`,
    alias,
    key: DEFAULT_BALANCE_KEY,
    assetCode: ASSET,
    available: 0n,
    onHold: 0n,
    version: 1n,
    accountType: alias.startsWith('@external/') ? 'external' : 'deposit',
    allowSending: true,
    allowReceiving: true,
    ...over,
  };
}

export const lookupOf =
  (states: BalanceState[]): BalanceLookup =>
  (alias, key) =>
    states.find((b) => b.alias === alias && b.key === key);

export type LegIn = [alias: string, amount: string | bigint, key?: string];
export const toLeg = ([alias, amount, key]: LegIn): Leg => ({
  alias,
  balanceKey: key ?? DEFAULT_BALANCE_KEY,
  amount: typeof amount === 'bigint' ? amount : u(amount),
});

export function transfer(value: string | bigint, sources: LegIn[], destinations: LegIn[], asset = ASSET): Transfer {
  return {
    asset,
    value: typeof value === 'bigint' ? value : u(value),
    sources: sources.map(toLeg),
    destinations: destinations.map(toLeg),
  };
}

export const snap = (available: string, onHold: string, version: bigint) => ({ available: u(available), onHold: u(onHold), version });

/** Runs fn, asserts it throws an AppError with this key, and returns the error. */
export function refusal(fn: () => unknown, key: ErrorKey): AppError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(AppError);
  expect((thrown as AppError).key).toBe(key);
  return thrown as AppError;
}
