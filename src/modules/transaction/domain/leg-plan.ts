import { invariant } from '../../../common/errors/app-error';
import { formatAmount } from '../../../common/money/amount';
import { Balance, EXTERNAL_ACCOUNT_TYPE } from '../../balance/balance.types';
import { Check, enforce } from './checks';
import { Action, Effect, OperationType, Transition, TRANSITIONS } from './hold-states';
import { Leg, Transfer } from './transfer';

/** The state of one balance as the planner sees it (`blocked`: its account's flag). */
export type BalanceState = Pick<
  Balance,
  'id' | 'accountId' | 'alias' | 'key' | 'assetCode' | 'available' | 'onHold' | 'version' | 'accountType' | 'allowSending' | 'allowReceiving'
> & { blocked?: boolean };

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

export const isExternal = (b: BalanceState): boolean => b.accountType === EXTERNAL_ACCOUNT_TYPE;

export type BalanceLookup = (alias: string, key: string) => BalanceState | undefined;

/** One leg about to post: its balance as this plan sees it, and the state it would leave. */
interface LegContext {
  action: Action;
  transition: Transition;
  side: 'source' | 'destination';
  asset: string;
  leg: Leg;
  balance?: BalanceState;
  /** What the leg posts (none for a hold's destinations, which are only checked). */
  effect?: Effect;
  after?: BalanceState;
}

const what = (needs: Effect['needs']) => (needs === 'allowSending' ? 'send' : 'receive');

/**
 * The rules of every leg, in order (sources first, then destinations, each in request order).
 * Checks after the first may rely on a balance having been found.
 */
export const LEG_CHECKS: ReadonlyArray<Check<LegContext>> = [
  {
    code: 'ALIAS_NOT_FOUND',
    fails: (c) => !c.balance,
    message: (c) => `No balance ${c.leg.balanceKey} for alias ${c.leg.alias} in this ledger.`,
    extra: (c) => ({ details: { alias: c.leg.alias, balanceKey: c.leg.balanceKey } }),
  },
  {
    code: 'ASSET_MISMATCH',
    fails: (c) => c.balance!.assetCode !== c.asset,
    message: (c) => `${c.leg.alias} holds ${c.balance!.assetCode}, not ${c.asset}.`,
  },
  {
    code: 'ACCOUNT_BLOCKED',
    fails: (c) => c.balance!.blocked === true && c.transition.refusedWhenBlocked,
    message: (c) => `The account ${c.leg.alias} is blocked: it neither sends nor receives.`,
    extra: (c) => ({ details: { alias: c.leg.alias, accountId: c.balance!.accountId } }),
  },
  {
    code: 'HOLD_ON_EXTERNAL',
    fails: (c) => c.action === 'hold' && c.side === 'source' && isExternal(c.balance!),
    message: (c) => `Funds cannot be held on the external account ${c.leg.alias}.`,
  },
  {
    code: 'ACCOUNT_INELIGIBLE',
    fails: (c) => c.effect?.needs !== undefined && !c.balance![c.effect.needs],
    message: (c) => `Balance ${c.balance!.id} of ${c.leg.alias} is not allowed to ${what(c.effect!.needs)}.`,
  },
  {
    code: 'INSUFFICIENT_FUNDS',
    fails: (c) => c.after !== undefined && c.effect!.available < 0n && c.after.available < 0n && !isExternal(c.balance!),
    message: (c) => `Insufficient funds on ${c.leg.alias}.`,
    extra: (c) => ({
      details: {
        balanceId: c.balance!.id,
        alias: c.leg.alias,
        available: formatAmount(c.balance!.available),
        required: formatAmount(c.leg.amount),
      },
    }),
  },
];

/**
 * Plans the legs of one action against the current balances (pure: reads through lookup, never
 * mutates what it reads). Each leg passes LEG_CHECKS, then posts its effect from TRANSITIONS.
 * Refusals are AppErrors; impossible results are assertion failures.
 */
export function planLegs(action: Action, transfer: Transfer, lookup: BalanceLookup): Plan {
  const transition = TRANSITIONS[action];
  const working = new Map<string, BalanceState>();
  const operations: PlannedOperation[] = [];

  const visit = (leg: Leg, side: 'source' | 'destination', effect: Effect | undefined): void => {
    const found = lookup(leg.alias, leg.balanceKey);
    const balance = found && (working.get(found.id) ?? found);
    const after = balance && effect && step(balance, effect, leg.amount);
    enforce(LEG_CHECKS, { action, transition, side, asset: transfer.asset, leg, balance, effect, after });
    if (!balance || !effect || !after) return;
    invariant(after.available >= 0n || isExternal(balance), 'a non-debit effect made an internal balance negative', { balanceId: balance.id });
    invariant(after.onHold >= 0n, 'on-hold amount would go negative', { balanceId: balance.id, action });
    working.set(balance.id, after);
    operations.push({
      side,
      type: effect.type,
      amount: leg.amount,
      balance: after,
      before: { available: balance.available, onHold: balance.onHold, version: balance.version },
      after: { available: after.available, onHold: after.onHold, version: after.version },
      leg,
    });
  };

  for (const leg of transfer.sources) visit(leg, 'source', transition.source);
  // A hold posts nothing on its destinations yet, but one that could never be committed is refused now.
  if (transition.destination || action === 'hold') {
    for (const leg of transfer.destinations) visit(leg, 'destination', transition.destination ?? undefined);
  }

  assertBalanced(action, transfer, operations);
  return { operations, balances: working };
}

function step(b: BalanceState, effect: Effect, amount: bigint): BalanceState {
  return { ...b, available: b.available + effect.available * amount, onHold: b.onHold + effect.onHold * amount, version: b.version + 1n };
}

/** G2: debits equal credits (holds and releases pair with the transfer value). */
function assertBalanced(action: Action, transfer: Transfer, ops: PlannedOperation[]): void {
  const total = (side: 'source' | 'destination') => ops.filter((o) => o.side === side).reduce((sum, o) => sum + o.amount, 0n);
  const value = formatAmount(transfer.value);
  invariant(total('source') === transfer.value, 'source operations do not total the transaction value', { action, value });
  if (TRANSITIONS[action].destination) {
    invariant(total('destination') === transfer.value, 'destination operations do not total the transaction value', { action, value });
  }
  for (const o of ops) {
    invariant(o.after.version === o.before.version + 1n, 'operation version does not step by one', { balanceId: o.balance.id });
    invariant(o.amount > 0n, 'operation amount must be positive', { balanceId: o.balance.id });
  }
}
