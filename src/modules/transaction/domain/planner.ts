import { AppError, invariant } from '../../../common/errors/app-error';
import { formatAmount } from '../../../common/money/amount';
import { Balance, EXTERNAL_ACCOUNT_TYPE } from '../../balance/balance.types';
import { Leg, Transfer } from './transfer';

/** The state of one balance as the planner sees it (`blocked`: its account's flag). */
export type BalanceState = Pick<
  Balance,
  'id' | 'accountId' | 'alias' | 'key' | 'assetCode' | 'available' | 'onHold' | 'version' | 'accountType' | 'allowSending' | 'allowReceiving'
> & { blocked?: boolean };

export type Action = 'direct' | 'hold' | 'commit' | 'cancel';
export type OperationType = 'DEBIT' | 'CREDIT' | 'ON_HOLD' | 'RELEASE';

export interface Snapshot {
  available: bigint;
  onHold: bigint;
  version: bigint;
}

export interface PlannedOperation {
  side: 'source' | 'destination';
  type: OperationType;
  amount: bigint;
  balance: BalanceState;
  before: Snapshot;
  after: Snapshot;
  leg: Leg;
}

export interface Plan {
  operations: PlannedOperation[];
  /** New state of every touched balance, by balance id. */
  balances: Map<string, BalanceState>;
}

interface Effect {
  type: OperationType;
  available: -1n | 0n | 1n;
  onHold: -1n | 0n | 1n;
  /** Which flag must allow it (checked when the money first moves). */
  needs?: 'allowSending' | 'allowReceiving';
}

/**
 * Actions that start moving money, refused on a blocked account. A commit or cancel settles a
 * hold made before the block (deliberately unlike Midaz, which never enforces the flag).
 */
const REFUSED_WHEN_BLOCKED: Record<Action, boolean> = { direct: true, hold: true, commit: false, cancel: false };

/** The hold state machine of DESIGN section 4, as data. */
const EFFECTS: Record<Action, { source: Effect; destination?: Effect }> = {
  direct: {
    source: { type: 'DEBIT', available: -1n, onHold: 0n, needs: 'allowSending' },
    destination: { type: 'CREDIT', available: 1n, onHold: 0n, needs: 'allowReceiving' },
  },
  hold: { source: { type: 'ON_HOLD', available: -1n, onHold: 1n, needs: 'allowSending' } },
  commit: {
    source: { type: 'DEBIT', available: 0n, onHold: -1n },
    destination: { type: 'CREDIT', available: 1n, onHold: 0n, needs: 'allowReceiving' },
  },
  cancel: { source: { type: 'RELEASE', available: 1n, onHold: -1n } },
};

export const isExternal = (b: BalanceState): boolean => b.accountType === EXTERNAL_ACCOUNT_TYPE;

export type BalanceLookup = (alias: string, key: string) => BalanceState | undefined;

/**
 * Plans one posting against the current balances (pure: reads through lookup, never
 * mutates what it reads). Refusals are AppErrors; impossible results are assertion failures.
 */
export function plan(action: Action, transfer: Transfer, lookup: BalanceLookup): Plan {
  const effects = EFFECTS[action];
  const working = new Map<string, BalanceState>();
  const operations: PlannedOperation[] = [];

  /** The balance of a leg as this plan sees it, which must exist and hold the asset. */
  const balanceOf = (leg: Leg): BalanceState => {
    const current = lookup(leg.alias, leg.balanceKey);
    if (!current) {
      throw new AppError('ALIAS_NOT_FOUND', `No balance ${leg.balanceKey} for alias ${leg.alias} in this ledger.`, {
        details: { alias: leg.alias, balanceKey: leg.balanceKey },
      });
    }
    const b = working.get(current.id) ?? current;
    if (b.assetCode !== transfer.asset) {
      throw new AppError('ASSET_MISMATCH', `${leg.alias} holds ${b.assetCode}, not ${transfer.asset}.`);
    }
    if (b.blocked && REFUSED_WHEN_BLOCKED[action]) {
      throw new AppError('ACCOUNT_BLOCKED', `The account ${leg.alias} is blocked: it neither sends nor receives.`, {
        details: { alias: leg.alias, accountId: b.accountId },
      });
    }
    return b;
  };

  const apply = (leg: Leg, side: 'source' | 'destination', effect: Effect): void => {
    const b = balanceOf(leg);
    if (action === 'hold' && isExternal(b)) {
      throw new AppError('HOLD_ON_EXTERNAL', `Funds cannot be held on the external account ${leg.alias}.`);
    }
    if (effect.needs && !b[effect.needs]) {
      const what = effect.needs === 'allowSending' ? 'send' : 'receive';
      throw new AppError('ACCOUNT_INELIGIBLE', `Balance ${b.id} of ${leg.alias} is not allowed to ${what}.`);
    }
    const after: BalanceState = {
      ...b,
      available: b.available + effect.available * leg.amount,
      onHold: b.onHold + effect.onHold * leg.amount,
      version: b.version + 1n,
    };
    if (after.available < 0n && !isExternal(b)) {
      invariant(effect.available < 0n, 'a non-debit effect made an internal balance negative', { balanceId: b.id });
      throw new AppError('INSUFFICIENT_FUNDS', `Insufficient funds on ${leg.alias}.`, {
        details: {
          balanceId: b.id,
          alias: leg.alias,
          available: formatAmount(b.available),
          required: formatAmount(leg.amount),
        },
      });
    }
    invariant(after.onHold >= 0n, 'on-hold amount would go negative', { balanceId: b.id, action });
    working.set(b.id, after);
    operations.push({
      side,
      type: effect.type,
      amount: leg.amount,
      balance: after,
      before: { available: b.available, onHold: b.onHold, version: b.version },
      after: { available: after.available, onHold: after.onHold, version: after.version },
      leg,
    });
  };

  for (const leg of transfer.sources) apply(leg, 'source', effects.source);
  if (effects.destination) for (const leg of transfer.destinations) apply(leg, 'destination', effects.destination);
  // A hold touches no destination yet, but one that could never be committed is refused now.
  else if (action === 'hold') transfer.destinations.forEach(balanceOf);

  assertBalanced(action, transfer, operations);
  return { operations, balances: working };
}

/** G2: debits equal credits (holds and releases pair with the transfer value). */
function assertBalanced(action: Action, transfer: Transfer, ops: PlannedOperation[]): void {
  const total = (side: 'source' | 'destination') =>
    ops.filter((o) => o.side === side).reduce((sum, o) => sum + o.amount, 0n);
  invariant(total('source') === transfer.value, 'source operations do not total the transaction value', {
    action,
    value: formatAmount(transfer.value),
  });
  if (EFFECTS[action].destination) {
    invariant(total('destination') === transfer.value, 'destination operations do not total the transaction value', {
      action,
      value: formatAmount(transfer.value),
    });
  }
  for (const o of ops) {
    invariant(o.after.version === o.before.version + 1n, 'operation version does not step by one', { balanceId: o.balance.id });
    invariant(o.amount > 0n, 'operation amount must be positive', { balanceId: o.balance.id });
  }
}
