import { AssertionFailure } from '../../../common/errors/app-error';
import { ASSET, balance, lookupOf, refusal, toLeg, transfer, u } from '../../../../test/support/planner-fixtures';
import { TRANSITIONS } from './hold-states';
import { BalanceState } from './leg-plan';
import { Book, CREATE_CHECKS, NamedTransaction, planCreate, planRevert, planSettle, REVERT_CHECKS, SETTLE_CHECKS } from './planner';

const NOW = new Date('2026-12-06T12:00:00.000Z');
const ORG = 'org-1';

const bookOf = (states: BalanceState[], over: Partial<Book> = {}): Book => ({ now: NOW, organizationId: ORG, lookup: lookupOf(states), ...over });

const op = (type: 'DEBIT' | 'CREDIT' | 'ON_HOLD' | 'RELEASE', alias: string, amount: string) => ({
  type,
  accountAlias: alias,
  balanceKey: 'default',
  balanceId: `bal-${alias}-default`,
  assetCode: ASSET,
  amount: u(amount),
  description: null,
  chartOfAccounts: null,
  metadata: {},
});

/** A hold of 30 from @a to @b, as the batch locks it. */
function aHold(over: Partial<NamedTransaction> = {}): NamedTransaction {
  return {
    id: 'tx-hold',
    organizationId: ORG,
    status: 'PENDING',
    parentTransactionId: null,
    expiresAt: null,
    assetCode: ASSET,
    destination: ['@b'],
    operations: [op('ON_HOLD', '@a', '30')],
    requestedDestinations: [toLeg(['@b', '30'])],
    reverted: false,
    ...over,
  };
}

/** A posted transfer of 30 from @a to @b. */
function aTransfer(over: Partial<NamedTransaction> = {}): NamedTransaction {
  return aHold({ id: 'tx-posted', status: 'APPROVED', operations: [op('DEBIT', '@a', '30'), op('CREDIT', '@b', '30')], requestedDestinations: null, ...over });
}

const held = () => [balance('@a', { available: u('70'), onHold: u('30') }), balance('@b', { available: u('30') })];

describe('the state table', () => {
  it('moves a hold only from PENDING, and creates only what post, hold and revert create', () => {
    expect(Object.entries(TRANSITIONS).map(([a, t]) => [a, t.from, t.to, t.creates])).toEqual([
      ['post', null, 'APPROVED', true],
      ['hold', null, 'PENDING', true],
      ['commit', 'PENDING', 'APPROVED', false],
      ['cancel', 'PENDING', 'CANCELED', false],
      ['expire', 'PENDING', 'CANCELED', false],
      ['revert', 'APPROVED', 'APPROVED', true],
    ]);
  });

  it('lists each action’s checks in their order', () => {
    expect(CREATE_CHECKS.map((c) => c.code)).toEqual(['BAD_REQUEST']);
    expect(SETTLE_CHECKS.map((c) => c.code)).toEqual(['NOT_FOUND', 'NOT_PENDING', 'HOLD_EXPIRED']);
    expect(REVERT_CHECKS.map((c) => c.code)).toEqual(['NOT_FOUND', 'IS_REVERT', 'CANNOT_REVERT', 'ALREADY_REVERTED', 'ACCOUNT_REPLACED']);
  });
});

describe('CREATE_CHECKS (post, hold)', () => {
  const states = [balance('@a', { available: u('100') }), balance('@b')];

  it('BAD_REQUEST: a hold whose expiresAt is not after the database time', () => {
    for (const expiresAt of [NOW, new Date(NOW.getTime() - 1)]) {
      const e = refusal(() => planCreate('hold', { transfer: transfer('1', [['@a', '1']], [['@b', '1']]), expiresAt }, bookOf(states)), 'BAD_REQUEST');
      expect(e.extra.fields).toEqual({ expiresAt: 'must be in the future' });
    }
    const later = new Date(NOW.getTime() + 1);
    expect(planCreate('hold', { transfer: transfer('1', [['@a', '1']], [['@b', '1']]), expiresAt: later }, bookOf(states)).transition.to).toBe('PENDING');
  });

  it('post and hold plan the transfer as given, into APPROVED and PENDING', () => {
    const t = transfer('10', [['@a', '10']], [['@b', '10']]);
    const post = planCreate('post', { transfer: t, expiresAt: null }, bookOf(states));
    expect(post.plan.operations.map((o) => o.type)).toEqual(['DEBIT', 'CREDIT']);
    const hold = planCreate('hold', { transfer: t, expiresAt: null }, bookOf(states));
    expect(hold.plan.operations.map((o) => o.type)).toEqual(['ON_HOLD']);
  });
});

describe('SETTLE_CHECKS (commit, cancel, expire)', () => {
  it('NOT_FOUND: no such transaction, or one of another organization', () => {
    for (const action of ['commit', 'cancel', 'expire'] as const) {
      expect(refusal(() => planSettle(action, undefined, bookOf(held())), 'NOT_FOUND').extra.entityType).toBe('Transaction');
      refusal(() => planSettle(action, aHold({ organizationId: 'org-2' }), bookOf(held())), 'NOT_FOUND');
    }
  });

  it('NOT_PENDING: a hold already committed or canceled', () => {
    for (const action of ['commit', 'cancel', 'expire'] as const) {
      for (const status of ['APPROVED', 'CANCELED'] as const) {
        expect(refusal(() => planSettle(action, aHold({ status }), bookOf(held())), 'NOT_PENDING').message).toContain(status);
      }
    }
  });

  it('HOLD_EXPIRED: a commit at or after expiresAt (by the database time); cancel and expire still release it', () => {
    for (const expiresAt of [NOW, new Date(NOW.getTime() - 60_000)]) {
      refusal(() => planSettle('commit', aHold({ expiresAt }), bookOf(held())), 'HOLD_EXPIRED');
      expect(planSettle('cancel', aHold({ expiresAt }), bookOf(held())).plan.operations.map((o) => o.type)).toEqual(['RELEASE']);
      expect(planSettle('expire', aHold({ expiresAt }), bookOf(held())).transition.metadata).toEqual({ cancelReason: 'expired' });
    }
    expect(planSettle('commit', aHold({ expiresAt: new Date(NOW.getTime() + 1) }), bookOf(held())).transition.to).toBe('APPROVED');
  });

  it('settles what the books hold: a commit debits the ON_HOLD amounts and credits the requested destinations', () => {
    const d = planSettle('commit', aHold(), bookOf(held()));
    expect(d.plan.operations.map((o) => [o.type, o.balance.alias, o.amount])).toEqual([
      ['DEBIT', '@a', u('30')],
      ['CREDIT', '@b', u('30')],
    ]);
  });

  it('a commit whose stored destinations cannot be read is an integrity failure, not a refusal', () => {
    expect(() => planSettle('commit', aHold({ requestedDestinations: null }), bookOf(held()))).toThrow(AssertionFailure);
    // A cancel needs no destination.
    expect(planSettle('cancel', aHold({ requestedDestinations: null }), bookOf(held())).plan.operations).toHaveLength(1);
  });
});

describe('REVERT_CHECKS (revert)', () => {
  const states = () => [balance('@a', { available: u('70') }), balance('@b', { available: u('30') })];

  it('NOT_FOUND: no such transaction, or one of another organization', () => {
    refusal(() => planRevert(undefined, bookOf(states())), 'NOT_FOUND');
    refusal(() => planRevert(aTransfer({ organizationId: 'org-2' }), bookOf(states())), 'NOT_FOUND');
  });

  it('IS_REVERT: a revert cannot be reverted', () => {
    refusal(() => planRevert(aTransfer({ parentTransactionId: 'tx-original' }), bookOf(states())), 'IS_REVERT');
  });

  it('CANNOT_REVERT: only an APPROVED transaction can be reverted', () => {
    for (const status of ['PENDING', 'CANCELED'] as const) {
      expect(refusal(() => planRevert(aTransfer({ status }), bookOf(states())), 'CANNOT_REVERT').message).toContain(status);
    }
  });

  it('ALREADY_REVERTED: a transaction is reverted at most once', () => {
    refusal(() => planRevert(aTransfer({ reverted: true }), bookOf(states())), 'ALREADY_REVERTED');
  });

  it('ACCOUNT_REPLACED: an alias that now names another balance than the one the transaction moved', () => {
    const replaced = [balance('@a', { available: u('70') }), balance('@b', { id: 'bal-@b-new', available: u('30') })];
    expect(refusal(() => planRevert(aTransfer(), bookOf(replaced)), 'ACCOUNT_REPLACED').message).toContain('@b');
  });

  it('moves back what the operations moved, legs swapped, as a new APPROVED transaction', () => {
    const d = planRevert(aTransfer(), bookOf(states()));
    expect(d.transition).toMatchObject({ creates: true, to: 'APPROVED' });
    expect(d.plan.operations.map((o) => [o.type, o.balance.alias, o.amount])).toEqual([
      ['DEBIT', '@b', u('30')],
      ['CREDIT', '@a', u('30')],
    ]);
  });

  it('checks in order: the first failing rule is the answer', () => {
    // A revert of another organization's revert that was reverted: NOT_FOUND comes first.
    refusal(() => planRevert(aTransfer({ organizationId: 'org-2', parentTransactionId: 'x', reverted: true }), bookOf(states())), 'NOT_FOUND');
    refusal(() => planRevert(aTransfer({ parentTransactionId: 'x', status: 'CANCELED', reverted: true }), bookOf(states())), 'IS_REVERT');
    refusal(() => planRevert(aTransfer({ status: 'CANCELED', reverted: true }), bookOf(states())), 'CANNOT_REVERT');
  });
});
