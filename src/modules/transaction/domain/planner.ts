import { invariant } from '../../../common/errors/app-error';
import { BookedOperation, heldTransfer, postedTransfer } from './booked-transfer';
import { Check, enforce } from './checks';
import { Action, CreateAction, SettleAction, TransactionStatus, Transition, TRANSITIONS } from './hold-states';
import { BalanceLookup, Plan, planLegs } from './leg-plan';
import { reversed } from './stored-transfer';
import { Leg, Transfer } from './transfer';

/**
 * The planner: every rule of a posting, in one place and in a fixed order (pure: no I/O, no Nest
 * or TypeORM). The posting engine loads and locks what an action names, calls one plan function
 * and writes the result; it decides nothing itself.
 *
 * Order of the checks of every action:
 *   0. (engine) the ledger of the path is live and belongs to its organization, else 404;
 *      then the idempotency key is claimed or replayed (idempotency/)
 *   1. the action's own list below (CREATE_CHECKS, SETTLE_CHECKS or REVERT_CHECKS)
 *   2. LEG_CHECKS (leg-plan.ts) on each source, then each destination, in request order
 * Each failure is a named code of the error catalog, each with a unit test (planner.spec.ts).
 */

/** The batch's view of the books for one posting. */
export interface Book {
  /** The batch's time: the database's clock, never an app host's. */
  now: Date;
  /** The organization of the request's path. */
  organizationId: string;
  /** The balances locked for the batch, as earlier postings of the batch left them. */
  lookup: BalanceLookup;
}

/** A transaction named by a commit, cancel, expire or revert, as the batch locked it. */
export interface NamedTransaction {
  id: string;
  organizationId: string;
  status: TransactionStatus;
  parentTransactionId: string | null;
  expiresAt: Date | null;
  assetCode: string;
  /** Aliases of its destination accounts. */
  destination: string[];
  /** Its operations: what the books say it moved. */
  operations: Array<BookedOperation & { balanceId: string }>;
  /** The destination legs a hold's request named, from its stored body (null: unreadable). */
  requestedDestinations: Leg[] | null;
  /** A revert of it exists. */
  reverted: boolean;
}

/** What an action posts once every check has passed. */
export interface Decision {
  action: Action;
  transition: Transition;
  transfer: Transfer;
  plan: Plan;
}

interface CreateContext {
  action: CreateAction;
  expiresAt: Date | null;
  now: Date;
}

interface NamedContext {
  action: SettleAction | 'revert';
  named: NamedTransaction | undefined;
  book: Book;
}

/** The transaction exists in this ledger and organization (first check of every action naming one). */
const FOUND: Check<NamedContext> = {
  code: 'NOT_FOUND',
  fails: (c) => !c.named || c.named.organizationId !== c.book.organizationId,
  message: () => 'Transaction not found.',
  extra: () => ({ entityType: 'Transaction' }),
};

/** post and hold. */
export const CREATE_CHECKS: ReadonlyArray<Check<CreateContext>> = [
  {
    // By the database's clock (the batch's time), never the app host's.
    code: 'BAD_REQUEST',
    fails: (c) => c.action === 'hold' && c.expiresAt !== null && c.expiresAt.getTime() <= c.now.getTime(),
    message: () => 'expiresAt must be in the future.',
    extra: () => ({ fields: { expiresAt: 'must be in the future' } }),
  },
];

/** commit, cancel and expire of a hold. */
export const SETTLE_CHECKS: ReadonlyArray<Check<NamedContext>> = [
  FOUND,
  {
    code: 'NOT_PENDING',
    fails: (c) => c.named!.status !== TRANSITIONS[c.action].from,
    message: (c) => `Transaction ${c.named!.id} is ${c.named!.status}, not ${TRANSITIONS[c.action].from}.`,
  },
  {
    code: 'HOLD_EXPIRED',
    fails: (c) => c.action === 'commit' && c.named!.expiresAt !== null && c.named!.expiresAt.getTime() <= c.book.now.getTime(),
    message: (c) => `The hold of transaction ${c.named!.id} expired at ${c.named!.expiresAt!.toISOString()}.`,
  },
];

/** revert of a settled transaction. */
export const REVERT_CHECKS: ReadonlyArray<Check<NamedContext>> = [
  FOUND,
  {
    code: 'IS_REVERT',
    fails: (c) => c.named!.parentTransactionId !== null,
    message: (c) => `Transaction ${c.named!.id} is itself a revert and cannot be reverted.`,
  },
  {
    code: 'CANNOT_REVERT',
    fails: (c) => c.named!.status !== TRANSITIONS.revert.from,
    message: (c) => `Only ${TRANSITIONS.revert.from} transactions can be reverted; ${c.named!.id} is ${c.named!.status}.`,
  },
  {
    code: 'ALREADY_REVERTED',
    fails: (c) => c.named!.reverted,
    message: (c) => `Transaction ${c.named!.id} has already been reverted.`,
  },
  {
    // Legs are stored by alias: an alias whose account was deleted and created again now names
    // another balance, which must not pay for (or receive) this revert.
    code: 'ACCOUNT_REPLACED',
    fails: (c) => c.named!.operations.some((o) => replaced(c.book, o)),
    message: (c) => {
      const o = c.named!.operations.find((op) => replaced(c.book, op))!;
      return `The account ${o.accountAlias} of transaction ${c.named!.id} was deleted and replaced since; it cannot be reverted.`;
    },
  },
];

function replaced(book: Book, o: NamedTransaction['operations'][number]): boolean {
  const current = book.lookup(o.accountAlias, o.balanceKey);
  return current !== undefined && current.id !== o.balanceId;
}

function decided(action: Action, transfer: Transfer, book: Book): Decision {
  return { action, transition: TRANSITIONS[action], transfer, plan: planLegs(action, transfer, book.lookup) };
}

/** A new transaction: posted at once (post) or held (hold). */
export function planCreate(action: CreateAction, request: { transfer: Transfer; expiresAt: Date | null }, book: Book): Decision {
  enforce(CREATE_CHECKS, { action, expiresAt: request.expiresAt, now: book.now });
  return decided(action, request.transfer, book);
}

/**
 * Ends a hold. The books decide what settles: the hold's ON_HOLD operations. A commit's
 * destinations exist only in its request and must total exactly what is held.
 */
export function planSettle(action: SettleAction, hold: NamedTransaction | undefined, book: Book): Decision {
  enforce(SETTLE_CHECKS, { action, named: hold, book });
  const h = hold!;
  let requested: Leg[] | null = null;
  if (TRANSITIONS[action].destination) {
    invariant(h.requestedDestinations !== null, "a hold's stored destinations cannot be read", { transactionId: h.id });
    requested = h.requestedDestinations;
  }
  return decided(action, heldTransfer(h, h.operations, requested), book);
}

/** A new transaction moving back what the original moved, from its operations (never its stored body). */
export function planRevert(original: NamedTransaction | undefined, book: Book): Decision {
  enforce(REVERT_CHECKS, { action: 'revert', named: original, book });
  return decided('revert', reversed(postedTransfer(original!, original!.operations)), book);
}
