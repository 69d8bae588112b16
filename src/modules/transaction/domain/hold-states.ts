/**
 * The transaction state machine of DESIGN section 4 as one table: for each action, the status
 * the transaction it acts on must have, the status it ends in, and what each leg posts. The
 * planner reads it to build operations; the settle statement quotes `from` as its SQL guard
 * (`UPDATE ... WHERE status_code = <from>`), so a status can change only along this table.
 * Pure data: no I/O, no Nest or TypeORM.
 */

export type TransactionStatus = 'APPROVED' | 'PENDING' | 'CANCELED';
export type OperationType = 'DEBIT' | 'CREDIT' | 'ON_HOLD' | 'RELEASE';

/** post: a direct transfer; hold: a pending one; expire: a cancel by the expiry job. */
export type Action = 'post' | 'hold' | 'commit' | 'cancel' | 'expire' | 'revert';
export type CreateAction = 'post' | 'hold';
export type SettleAction = 'commit' | 'cancel' | 'expire';

/** What one leg posts on its balance: signs of the change to available and onHold. */
export interface Effect {
  type: OperationType;
  available: -1n | 0n | 1n;
  onHold: -1n | 0n | 1n;
  /** The balance flag that must allow it. */
  needs?: 'allowSending' | 'allowReceiving';
}

export interface Transition {
  /**
   * The status the named transaction must have: a hold for commit, cancel and expire, the
   * original for revert. null: the action names no transaction (it creates one).
   */
  from: TransactionStatus | null;
  /** The status of the transaction that carries the operations, once the action is applied. */
  to: TransactionStatus;
  /** true: the operations belong to a new transaction; false: to the named one, which moves to `to`. */
  creates: boolean;
  /** Posted on each source balance. */
  source: Effect;
  /** Posted on each destination balance; null: nothing yet (a hold) or ever (a cancel). */
  destination: Effect | null;
  /**
   * Refused on a blocked account: actions that start moving money. Settling a hold made
   * before the block is allowed (deliberately unlike Midaz, which never enforces the flag).
   */
  refusedWhenBlocked: boolean;
  /** Recorded in the settled transaction's metadata. */
  metadata?: Record<string, string>;
}

const DEBIT: Effect = { type: 'DEBIT', available: -1n, onHold: 0n, needs: 'allowSending' };
const CREDIT: Effect = { type: 'CREDIT', available: 1n, onHold: 0n, needs: 'allowReceiving' };
const ON_HOLD: Effect = { type: 'ON_HOLD', available: -1n, onHold: 1n, needs: 'allowSending' };
/** A commit debits what the hold set aside (sending was allowed when it was held). */
const DEBIT_HELD: Effect = { type: 'DEBIT', available: 0n, onHold: -1n };
const RELEASE: Effect = { type: 'RELEASE', available: 1n, onHold: -1n };

/** Metadata an expiry records on the hold it cancels. */
export const EXPIRED_REASON = 'expired';

// prettier-ignore
export const TRANSITIONS: Readonly<Record<Action, Transition>> = {
  //        named tx        resulting tx                source       destination  blocked refused
  post:   { from: null,      to: 'APPROVED', creates: true,  source: DEBIT,      destination: CREDIT, refusedWhenBlocked: true },
  hold:   { from: null,      to: 'PENDING',  creates: true,  source: ON_HOLD,    destination: null,   refusedWhenBlocked: true },
  commit: { from: 'PENDING', to: 'APPROVED', creates: false, source: DEBIT_HELD, destination: CREDIT, refusedWhenBlocked: false },
  cancel: { from: 'PENDING', to: 'CANCELED', creates: false, source: RELEASE,    destination: null,   refusedWhenBlocked: false },
  expire: { from: 'PENDING', to: 'CANCELED', creates: false, source: RELEASE,    destination: null,   refusedWhenBlocked: false,
            metadata: { cancelReason: EXPIRED_REASON } },
  // A revert leaves the original APPROVED and posts a new APPROVED transaction, legs swapped.
  revert: { from: 'APPROVED', to: 'APPROVED', creates: true,  source: DEBIT,      destination: CREDIT, refusedWhenBlocked: true },
};
