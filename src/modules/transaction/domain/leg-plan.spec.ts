import * as fc from 'fast-check';
import { AppError, AssertionFailure } from '../../../common/errors/app-error';
import { ASSET, balance, lookupOf, refusal, snap, transfer, u } from '../../../../test/support/planner-fixtures';
import { Action } from './hold-states';
import { BalanceLookup, BalanceState, isExternal, LEG_CHECKS, Plan, planLegs } from './leg-plan';
import { DEFAULT_BALANCE_KEY, Leg, Transfer } from './transfer';

const opView = (p: Plan) =>
  p.operations.map((o) => ({ side: o.side, type: o.type, alias: o.balance.alias, amount: o.amount, before: o.before, after: o.after }));
const balanceView = (p: Plan) =>
  Object.fromEntries(
    [...p.balances.values()].map((b) => [b.alias, { available: b.available, onHold: b.onHold, version: b.version }]),
  );

describe('planLegs: the hold state machine (DESIGN section 4)', () => {
  it('direct: DEBIT available on each source, CREDIT available on each destination', () => {
    const a = balance('@a', { available: u('100'), onHold: u('7'), version: 3n });
    const b = balance('@b', { available: u('5.5'), version: 7n });
    const c = balance('@c', { available: u('0'), version: 0n });
    const p = planLegs('post', transfer('30', [['@a', '30']], [['@b', '20'], ['@c', '10']]), lookupOf([a, b, c]));
    expect(opView(p)).toEqual([
      { side: 'source', type: 'DEBIT', alias: '@a', amount: u('30'), before: snap('100', '7', 3n), after: snap('70', '7', 4n) },
      { side: 'destination', type: 'CREDIT', alias: '@b', amount: u('20'), before: snap('5.5', '0', 7n), after: snap('25.5', '0', 8n) },
      { side: 'destination', type: 'CREDIT', alias: '@c', amount: u('10'), before: snap('0', '0', 0n), after: snap('10', '0', 1n) },
    ]);
    expect(balanceView(p)).toEqual({
      '@a': snap('70', '7', 4n),
      '@b': snap('25.5', '0', 8n),
      '@c': snap('10', '0', 1n),
    });
    expect(p.balances.get(a.id)).toMatchObject({ id: a.id, accountId: a.accountId, assetCode: ASSET });
  });

  it('hold: ON_HOLD moves available to onHold on each source; destinations get nothing yet', () => {
    const a = balance('@a', { available: u('100'), onHold: u('10'), version: 3n });
    const b = balance('@b', { available: u('5'), version: 7n });
    const p = planLegs('hold', transfer('30', [['@a', '30']], [['@b', '30']]), lookupOf([a, b]));
    expect(opView(p)).toEqual([
      { side: 'source', type: 'ON_HOLD', alias: '@a', amount: u('30'), before: snap('100', '10', 3n), after: snap('70', '40', 4n) },
    ]);
    expect(balanceView(p)).toEqual({ '@a': snap('70', '40', 4n) });
    expect(p.balances.has(b.id)).toBe(false);
  });

  it('commit: DEBIT onHold on each source, CREDIT available on each destination', () => {
    const a = balance('@a', { available: u('70'), onHold: u('40'), version: 4n });
    const b = balance('@b', { available: u('5'), onHold: u('1'), version: 7n });
    const p = planLegs('commit', transfer('30', [['@a', '30']], [['@b', '30']]), lookupOf([a, b]));
    expect(opView(p)).toEqual([
      { side: 'source', type: 'DEBIT', alias: '@a', amount: u('30'), before: snap('70', '40', 4n), after: snap('70', '10', 5n) },
      { side: 'destination', type: 'CREDIT', alias: '@b', amount: u('30'), before: snap('5', '1', 7n), after: snap('35', '1', 8n) },
    ]);
    expect(balanceView(p)).toEqual({ '@a': snap('70', '10', 5n), '@b': snap('35', '1', 8n) });
  });

  it('cancel: RELEASE moves onHold back to available on each source; destinations untouched', () => {
    const a = balance('@a', { available: u('70'), onHold: u('40'), version: 4n });
    const b = balance('@b', { available: u('5'), version: 7n });
    const p = planLegs('cancel', transfer('30', [['@a', '30']], [['@b', '30']]), lookupOf([a, b]));
    expect(opView(p)).toEqual([
      { side: 'source', type: 'RELEASE', alias: '@a', amount: u('30'), before: snap('70', '40', 4n), after: snap('100', '10', 5n) },
    ]);
    expect(balanceView(p)).toEqual({ '@a': snap('100', '10', 5n) });
  });

  it('commit or cancel of more than is on hold is an assertion failure, not a refusal', () => {
    const a = balance('@a', { available: u('1000'), onHold: u('10'), version: 4n });
    const b = balance('@b');
    for (const action of ['commit', 'cancel'] as const) {
      expect(() => planLegs(action, transfer('30', [['@a', '30']], [['@b', '30']]), lookupOf([a, b]))).toThrow(AssertionFailure);
    }
  });
});

describe('planLegs: LEG_CHECKS, one test per code', () => {
  it('lists the leg rules in their order', () => {
    expect(LEG_CHECKS.map((c) => c.code)).toEqual(['ALIAS_NOT_FOUND', 'ASSET_MISMATCH', 'ACCOUNT_BLOCKED', 'HOLD_ON_EXTERNAL', 'ACCOUNT_INELIGIBLE', 'INSUFFICIENT_FUNDS']);
  });

  it('INSUFFICIENT_FUNDS: refuses insufficient funds naming the balance, its available and the required amount', () => {
    const a = balance('@a', { available: u('10.5'), onHold: u('100') });
    const b = balance('@b');
    for (const action of ['post', 'hold'] as const) {
      const e = refusal(() => planLegs(action, transfer('30.25', [['@a', '30.25']], [['@b', '30.25']]), lookupOf([a, b])), 'INSUFFICIENT_FUNDS');
      expect(e.extra.details).toMatchObject({ balanceId: a.id, available: '10.5', required: '30.25' });
    }
  });

  it('allows spending the whole available balance down to exactly zero', () => {
    const a = balance('@a', { available: u('30.25') });
    const p = planLegs('post', transfer('30.25', [['@a', '30.25']], [['@b', '30.25']]), lookupOf([a, balance('@b')]));
    expect(p.balances.get(a.id)?.available).toBe(0n);
  });

  it('INSUFFICIENT_FUNDS: reports the running available when a second leg on the same balance overdraws it', () => {
    const a = balance('@a', { available: u('50') });
    const e = refusal(
      () => planLegs('post', transfer('60', [['@a', '40'], ['@a', '20']], [['@b', '60']]), lookupOf([a, balance('@b')])),
      'INSUFFICIENT_FUNDS',
    );
    expect(e.extra.details).toMatchObject({ balanceId: a.id, available: '10', required: '20' });
  });

  it('lets an external source go negative on a direct post', () => {
    const ext = balance('@external/USD', { available: u('-5'), version: 9n });
    const b = balance('@b');
    const p = planLegs('post', transfer('50', [['@external/USD', '50']], [['@b', '50']]), lookupOf([ext, b]));
    expect(p.balances.get(ext.id)).toMatchObject({ available: u('-55'), onHold: 0n, version: 10n });
    expect(p.balances.get(b.id)).toMatchObject({ available: u('50'), version: 2n });
  });

  it('HOLD_ON_EXTERNAL: refuses a hold on an external source', () => {
    const ext = balance('@external/USD', { available: u('1000') });
    refusal(
      () => planLegs('hold', transfer('50', [['@external/USD', '50']], [['@b', '50']]), lookupOf([ext, balance('@b')])),
      'HOLD_ON_EXTERNAL',
    );
  });

  it('ACCOUNT_INELIGIBLE: refuses a post or hold source whose balance has allowSending=false', () => {
    const a = balance('@a', { available: u('100'), allowSending: false });
    for (const action of ['post', 'hold'] as const) {
      const e = refusal(() => planLegs(action, transfer('1', [['@a', '1']], [['@b', '1']]), lookupOf([a, balance('@b')])), 'ACCOUNT_INELIGIBLE');
      expect(e.message).toContain('send');
    }
  });

  it('ACCOUNT_INELIGIBLE: refuses a post or commit destination whose balance has allowReceiving=false', () => {
    const a = balance('@a', { available: u('100'), onHold: u('100') });
    const b = balance('@b', { allowReceiving: false });
    for (const action of ['post', 'commit'] as const) {
      const e = refusal(() => planLegs(action, transfer('1', [['@a', '1']], [['@b', '1']]), lookupOf([a, b])), 'ACCOUNT_INELIGIBLE');
      expect(e.message).toContain('receive');
    }
  });

  it('ACCOUNT_BLOCKED: refuses a post or a hold touching a blocked account, on either side (1022), naming the alias', () => {
    const a = balance('@a', { available: u('10') });
    for (const action of ['post', 'hold'] as const) {
      for (const blocked of ['@a', '@b']) {
        const states = [a, balance('@b')].map((b) => (b.alias === blocked ? { ...b, blocked: true } : b));
        const e = refusal(() => planLegs(action, transfer('1', [['@a', '1']], [['@b', '1']]), lookupOf(states)), 'ACCOUNT_BLOCKED');
        expect(e.message).toContain(blocked);
      }
    }
  });

  it('lets a commit or cancel of a hold complete after its accounts are blocked', () => {
    const a = balance('@a', { available: u('9'), onHold: u('1'), blocked: true });
    const b = balance('@b', { blocked: true });
    for (const action of ['commit', 'cancel'] as const) {
      expect(planLegs(action, transfer('1', [['@a', '1']], [['@b', '1']]), lookupOf([a, b])).operations.length).toBeGreaterThan(0);
    }
  });

  it('ASSET_MISMATCH: refuses a balance in another asset, on either side', () => {
    const a = balance('@a', { available: u('100') });
    const brl = balance('@brl', { assetCode: 'BRL', available: u('100') });
    refusal(() => planLegs('post', transfer('1', [['@brl', '1']], [['@a', '1']]), lookupOf([a, brl])), 'ASSET_MISMATCH');
    refusal(() => planLegs('post', transfer('1', [['@a', '1']], [['@brl', '1']]), lookupOf([a, brl])), 'ASSET_MISMATCH');
  });

  it('ALIAS_NOT_FOUND: refuses an unknown alias or balance key, on either side, naming it', () => {
    const a = balance('@a', { available: u('100') });
    const b = balance('@b');
    const e1 = refusal(() => planLegs('post', transfer('1', [['@nobody', '1']], [['@b', '1']]), lookupOf([a, b])), 'ALIAS_NOT_FOUND');
    expect(e1.extra.details).toEqual({ alias: '@nobody', balanceKey: 'default' });
    const e2 = refusal(() => planLegs('post', transfer('1', [['@a', '1']], [['@b', '1', 'savings']]), lookupOf([a, b])), 'ALIAS_NOT_FOUND');
    expect(e2.extra.details).toEqual({ alias: '@b', balanceKey: 'savings' });
  });

  it('chains versions n+1 and n+2 when one balance appears twice on a side', () => {
    const a = balance('@a', { available: u('100'), version: 41n });
    const b = balance('@b', { version: 2n });
    const p = planLegs('post', transfer('30', [['@a', '10'], ['@a', '20']], [['@b', '30']]), lookupOf([a, b]));
    const [first, second] = p.operations;
    expect(first.before).toEqual(snap('100', '0', 41n));
    expect(first.after).toEqual(snap('90', '0', 42n));
    expect(second.before).toEqual(first.after);
    expect(second.after).toEqual(snap('70', '0', 43n));
    expect(first.balance.version).toBe(42n);
    expect(second.balance.version).toBe(43n);
    expect(p.balances.get(a.id)).toMatchObject({ available: u('70'), version: 43n });
    expect(p.operations).toHaveLength(3);
  });

  it('never mutates the states returned by lookup', () => {
    const states = [
      balance('@a', { available: u('100'), onHold: u('50'), version: 5n }),
      balance('@b', { available: u('1'), version: 9n }),
      balance('@external/USD', { available: u('-10') }),
    ];
    const before = structuredClone(states);
    const lookup = lookupOf(states);
    planLegs('post', transfer('30', [['@a', '10'], ['@a', '20']], [['@b', '30']]), lookup);
    planLegs('hold', transfer('30', [['@a', '30']], [['@b', '30']]), lookup);
    planLegs('commit', transfer('30', [['@a', '30']], [['@b', '30']]), lookup);
    planLegs('cancel', transfer('30', [['@a', '30']], [['@b', '30']]), lookup);
    planLegs('post', transfer('30', [['@external/USD', '30']], [['@a', '30']]), lookup);
    expect(states).toEqual(before);
  });
});

// ---------------------------------------------------------------------------------------------
// Properties

/** The four actions with legs of their own (expire posts as cancel, revert as post). */
type Tested = 'post' | 'hold' | 'commit' | 'cancel';
const ACTIONS: Tested[] = ['post', 'hold', 'commit', 'cancel'];
const EFFECT: Record<Tested, { source: [bigint, bigint]; destination?: [bigint, bigint] }> = {
  post: { source: [-1n, 0n], destination: [1n, 0n] },
  hold: { source: [-1n, 1n] },
  commit: { source: [0n, -1n], destination: [1n, 0n] },
  cancel: { source: [1n, -1n] },
};

const amountArb = fc.oneof(fc.bigInt({ min: 0n, max: 10n ** 21n }), fc.bigInt({ min: 0n, max: 10n ** 36n }));

/** 2..7 balances; some external (may be negative, never on hold), some in BRL, some restricted. */
const worldArb = fc
  .array(
    fc.record({
      external: fc.boolean(),
      available: amountArb,
      negative: fc.boolean(),
      onHold: amountArb,
      version: fc.bigInt({ min: 0n, max: 10n ** 12n }),
      brl: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
      allowSending: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0),
      allowReceiving: fc.integer({ min: 0, max: 9 }).map((n) => n !== 0),
      savings: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
    }),
    { minLength: 2, maxLength: 7 },
  )
  .map((rows) =>
    rows.map((r, i) =>
      balance(r.external ? `@external/USD#${i}` : `@acc${i}`, {
        id: `bal-${i}`,
        key: r.savings ? 'savings' : DEFAULT_BALANCE_KEY,
        accountType: r.external ? 'external' : 'deposit',
        available: r.external && r.negative ? -r.available : r.available,
        onHold: r.external ? 0n : r.onHold,
        version: r.version,
        assetCode: r.brl ? 'BRL' : ASSET,
        allowSending: r.allowSending,
        allowReceiving: r.allowReceiving,
      }),
    ),
  );

/** A value split into 1..4 positive parts. */
const splitArb = (value: bigint) =>
  (value === 1n ? fc.constant<bigint[]>([]) : fc.uniqueArray(fc.bigInt({ min: 1n, max: value - 1n }), { maxLength: 3 })).map(
    (cuts) => {
      const points = [0n, ...[...cuts].sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)), value];
      return points.slice(1).map((p, i) => p - points[i]);
    },
  );

/** A leg target: mostly a balance of the world, sometimes an alias nobody has. */
const targetArb = (world: BalanceState[]) =>
  fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...world).map((b) => ({ alias: b.alias, key: b.key })) },
    { weight: 1, arbitrary: fc.constant({ alias: '@ghost', key: DEFAULT_BALANCE_KEY }) },
  );

const sideArb = (world: BalanceState[], value: bigint) =>
  splitArb(value).chain((parts) =>
    fc.tuple(...parts.map(() => targetArb(world))).map((targets) =>
      parts.map((amount, i): Leg => ({ alias: targets[i].alias, balanceKey: targets[i].key, amount })),
    ),
  );

const valueArb = fc.oneof(fc.bigInt({ min: 1n, max: 10n ** 20n }), fc.bigInt({ min: 1n, max: 10n ** 36n }));

const scenarioArb = worldArb.chain((world) =>
  fc.record({
    world: fc.constant(world),
    action: fc.constantFrom(...ACTIONS),
    transfer: valueArb.chain((value) =>
      fc.record({
        asset: fc.constant(ASSET),
        value: fc.constant(value),
        sources: sideArb(world, value),
        destinations: sideArb(world, value),
      }),
    ),
  }),
);

type Outcome = { plan: Plan } | { error: unknown };
function attempt(action: Action, t: Transfer, lookup: BalanceLookup): Outcome {
  try {
    return { plan: planLegs(action, t, lookup) };
  } catch (error) {
    return { error };
  }
}

/** Which legs (side, leg) the action touches, in order. */
const touchedLegs = (action: Tested, t: Transfer) => [
  ...t.sources.map((leg) => ({ side: 'source' as const, leg })),
  ...(EFFECT[action].destination ? t.destinations.map((leg) => ({ side: 'destination' as const, leg })) : []),
];

/** Checks every invariant a successful plan must satisfy against the initial world. */
function checkPlan(action: Tested, t: Transfer, world: BalanceState[], p: Plan): void {
  const byId = new Map(world.map((b) => [b.id, b]));
  const legs = touchedLegs(action, t);
  expect(p.operations).toHaveLength(legs.length);

  // operations follow the legs in order, with the table's type and the leg's amount
  const expectedType = { post: ['DEBIT', 'CREDIT'], hold: ['ON_HOLD'], commit: ['DEBIT', 'CREDIT'], cancel: ['RELEASE'] }[action];
  p.operations.forEach((o, i) => {
    expect(o.side).toBe(legs[i].side);
    expect(o.leg).toBe(legs[i].leg);
    expect(o.amount).toBe(legs[i].leg.amount);
    expect(o.type).toBe(expectedType[o.side === 'source' ? 0 : 1]);
    expect(o.balance.alias).toBe(o.leg.alias);
    expect(o.balance.key).toBe(o.leg.balanceKey);
  });

  // G2: each side totals the value
  const total = (side: string) => p.operations.filter((o) => o.side === side).reduce((s, o) => s + o.amount, 0n);
  expect(total('source')).toBe(t.value);
  if (EFFECT[action].destination) expect(total('destination')).toBe(t.value);

  // G3 conservation over all touched balances; hold/cancel also conserve per balance
  let delta = 0n;
  for (const [id, after] of p.balances) {
    const initial = byId.get(id)!;
    const d = after.available + after.onHold - (initial.available + initial.onHold);
    if (action === 'hold' || action === 'cancel') expect(d).toBe(0n);
    delta += d;
  }
  expect(delta).toBe(0n);

  // per balance: final = initial + table effect of its legs; version + number of its operations;
  // snapshots chain without gaps; nothing internal goes negative
  const touchedIds = new Set(p.operations.map((o) => o.balance.id));
  expect(new Set(p.balances.keys())).toEqual(touchedIds);
  for (const id of touchedIds) {
    const initial = byId.get(id)!;
    const ops = p.operations.filter((o) => o.balance.id === id);
    const final = p.balances.get(id)!;
    let available = initial.available;
    let onHold = initial.onHold;
    for (const o of ops) {
      const [da, dh] = EFFECT[action][o.side]!;
      available += da * o.amount;
      onHold += dh * o.amount;
    }
    expect(final.available).toBe(available);
    expect(final.onHold).toBe(onHold);
    expect(final.version).toBe(initial.version + BigInt(ops.length));
    expect(ops[0].before).toEqual({ available: initial.available, onHold: initial.onHold, version: initial.version });
    ops.forEach((o, i) => {
      expect(o.after.version).toBe(o.before.version + 1n);
      if (i > 0) expect(o.before).toEqual(ops[i - 1].after);
      expect(o.balance).toMatchObject(o.after);
    });
    expect(ops[ops.length - 1].after).toEqual({ available: final.available, onHold: final.onHold, version: final.version });
    expect({ ...final, available: 0n, onHold: 0n, version: 0n }).toEqual({ ...initial, available: 0n, onHold: 0n, version: 0n });
    if (!isExternal(final)) {
      expect(final.available).toBeGreaterThanOrEqual(0n);
      expect(final.onHold).toBeGreaterThanOrEqual(0n);
      for (const o of ops) {
        expect(o.after.available).toBeGreaterThanOrEqual(0n);
        expect(o.after.onHold).toBeGreaterThanOrEqual(0n);
      }
    }
  }
}

/** Sum held on each balance id by the source legs of t. */
function heldBy(t: Transfer, world: BalanceState[]): Map<string, bigint> {
  const lookup = lookupOf(world);
  const m = new Map<string, bigint>();
  for (const l of t.sources) {
    const b = lookup(l.alias, l.balanceKey);
    if (b) m.set(b.id, (m.get(b.id) ?? 0n) + l.amount);
  }
  return m;
}

describe('plan (properties)', () => {
  it('random plans conserve money, keep internal balances non-negative, step versions by their operations and never touch inputs', () => {
    const counts: Record<string, number> = {};
    fc.assert(
      fc.property(scenarioArb, ({ world, action, transfer: t }) => {
        const before = structuredClone(world);
        const outcome = attempt(action, t, lookupOf(world));
        expect(world).toEqual(before); // untouched on success and on refusal alike

        if ('plan' in outcome) {
          counts[`${action}:ok`] = (counts[`${action}:ok`] ?? 0) + 1;
          checkPlan(action, t, world, outcome.plan);
          return;
        }
        const { error } = outcome;
        if (error instanceof AppError) {
          counts[`${action}:${error.key}`] = (counts[`${action}:${error.key}`] ?? 0) + 1;
          expect([
            'ALIAS_NOT_FOUND',
            'ASSET_MISMATCH',
            'HOLD_ON_EXTERNAL',
            'ACCOUNT_INELIGIBLE',
            'INSUFFICIENT_FUNDS',
          ]).toContain(error.key);
          if (error.key === 'HOLD_ON_EXTERNAL') expect(action).toBe('hold');
          if (error.key === 'INSUFFICIENT_FUNDS') {
            expect(['post', 'hold']).toContain(action);
            const details = error.extra.details as { balanceId: string };
            expect(isExternal(world.find((b) => b.id === details.balanceId)!)).toBe(false);
          }
          return;
        }
        // The only impossible input we generate: committing/cancelling more than a balance holds.
        expect(error).toBeInstanceOf(AssertionFailure);
        expect(['commit', 'cancel']).toContain(action);
        const overdrawn = [...heldBy(t, world)].some(([id, amt]) => world.find((b) => b.id === id)!.onHold < amt);
        expect(overdrawn).toBe(true);
      }),
      { numRuns: 1500 },
    );
    // the generator must exercise both successes and refusals of every action
    for (const action of ACTIONS) expect(counts[`${action}:ok`] ?? 0).toBeGreaterThan(10);
    expect(counts['post:INSUFFICIENT_FUNDS'] ?? 0).toBeGreaterThan(0);
    expect(counts['hold:HOLD_ON_EXTERNAL'] ?? 0).toBeGreaterThan(0);
  });

  it('a successful hold can then be cancelled back to the original amounts, or committed like a direct post', () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ world, transfer: t }, commit) => {
        const held = attempt('hold', t, lookupOf(world));
        fc.pre('plan' in held);
        const afterHold = world.map((b) => (held as { plan: Plan }).plan.balances.get(b.id) ?? b);
        const snapshot = structuredClone(afterHold);

        const action: Action = commit ? 'commit' : 'cancel';
        const second = attempt(action, t, lookupOf(afterHold));
        expect(afterHold).toEqual(snapshot);
        if ('error' in second) {
          // hold never looks at destinations, so only a destination can refuse the commit
          expect(commit).toBe(true);
          expect(second.error).toBeInstanceOf(AppError);
          expect(['ALIAS_NOT_FOUND', 'ASSET_MISMATCH', 'ACCOUNT_INELIGIBLE']).toContain((second.error as AppError).key);
          return;
        }
        checkPlan(action, t, afterHold, second.plan);
        const direct = attempt('post', t, lookupOf(world));
        for (const b of world) {
          const final = second.plan.balances.get(b.id) ?? (held as { plan: Plan }).plan.balances.get(b.id) ?? b;
          if (!commit) {
            expect({ available: final.available, onHold: final.onHold }).toEqual({ available: b.available, onHold: b.onHold });
          } else if ('plan' in direct) {
            const viaDirect = direct.plan.balances.get(b.id) ?? b;
            expect({ available: final.available, onHold: final.onHold }).toEqual({
              available: viaDirect.available,
              onHold: viaDirect.onHold,
            });
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
});
