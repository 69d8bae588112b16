import * as fc from 'fast-check';
import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { PendingExpiryService } from '../src/modules/transaction/jobs/pending-expiry.service';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { balanceState, cancel, commit, getTransaction, hold, postJson, revert, snap, snapshotOf } from './support/holds';
import { checkHolds } from './support/holds-check';
import { fund, fundedPair, setFlags, sleep } from './support/postings';
import { TEST_DATABASE_URL } from './support/test-env';
import { withOneBatchApp } from './support/one-batch';

/**
 * G7 under concurrency: a hold ends exactly once whatever races it, and the books stay clean
 * (G2-G5). Real app, real Postgres and Redis; the expiry service is called in-process.
 */
jest.setTimeout(180_000);


let t: TestApp;
let expiry: PendingExpiryService;
beforeAll(async () => {
  t = await startApp();
  expiry = t.app.get(PendingExpiryService);
});
afterAll(() => t.close());

async function expectCleanBooks(): Promise<void> {
  expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
  expect(await checkHolds(TEST_DATABASE_URL)).toEqual([]);
}

const types = (tx: { operations: Array<{ type: string }> }) => tx.operations.map((o) => o.type).sort();

describe('racing settles of one hold', () => {
  it('20 concurrent commits: exactly one 200 APPROVED, 19 x 409 0099, exactly 2 operations added', async () => {
    const ctx = await fundedPair(t.api);
    const tx = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    expect(tx.operations).toHaveLength(1);

    const results = await Promise.all(Array.from({ length: 20 }, () => commit(ctx, tx.id)));
    const won = results.filter((r) => r.status === 200);
    const lost = results.filter((r) => r.status !== 200);
    expect(won).toHaveLength(1);
    expect(won[0].body.status.code).toBe('APPROVED');
    expect(lost).toHaveLength(19);
    for (const r of lost) expectError(r, 409, '0099');

    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('APPROVED');
    expect(types(stored)).toEqual(['CREDIT', 'DEBIT', 'ON_HOLD']);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('90', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('10', '0', 1));
    await expectCleanBooks();
  });

  it('commit racing cancel, 10 rounds: each hold ends exactly once with that outcome\'s operations', async () => {
    const ctx = await fundedPair(t.api);
    const tally = { APPROVED: 0, CANCELED: 0 };
    for (let round = 0; round < 10; round++) {
      const tx = await hold(ctx, [['@a', '1']], [['@b', '1']]);
      // Alternate which request leaves first.
      const [c, x] = round % 2 === 0
        ? await Promise.all([commit(ctx, tx.id), cancel(ctx, tx.id)])
        : await Promise.all([cancel(ctx, tx.id), commit(ctx, tx.id)]).then(([k, m]) => [m, k]);
      expect([c.status, x.status].sort()).toEqual([200, 409]);
      const loser = c.status === 200 ? x : c;
      expectError(loser, 409, '0099');

      const stored = await getTransaction(ctx, tx.id);
      const outcome = c.status === 200 ? 'APPROVED' : 'CANCELED';
      expect(stored.status.code).toBe(outcome);
      expect(types(stored)).toEqual(outcome === 'APPROVED' ? ['CREDIT', 'DEBIT', 'ON_HOLD'] : ['ON_HOLD', 'RELEASE']);
      tally[outcome]++;
    }
    // Every round moved 1 to @b or gave it back to @a; each round is 2 versions on @a.
    expect(await snapshotOf(ctx, '@a')).toEqual(snap(String(100 - tally.APPROVED), '0', 1 + 2 * 10));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap(String(tally.APPROVED), '0', tally.APPROVED));
    await expectCleanBooks();
  });

  it('commit racing the expiry job, 10 rounds: either the commit or the expiry wins, never both', async () => {
    const ctx = await fundedPair(t.api);
    for (let round = 0; round < 10; round++) {
      const expiresAt = new Date(Date.now() + 3_600_000);
      const tx = await hold(ctx, [['@a', '1']], [['@b', '1']], { expiresAt: expiresAt.toISOString() });
      // The job runs as if the hold's expiry had come; the commit still sees it valid (its clock is
      // now). One side starts 0-4 ms after the other, alternating, so either may reach the hold first.
      const lag = (mine: boolean) => sleep(mine ? round % 5 : 0);
      const [report, c] = await Promise.all([
        lag(round % 2 === 0).then(() => expiry.expireDueHolds({ aheadMs: expiresAt.getTime() - Date.now() })),
        lag(round % 2 === 1).then(() => commit(ctx, tx.id)),
      ]);

      const stored = await getTransaction(ctx, tx.id);
      expect(report.failed).toBe(0);
      if (c.status === 200) {
        // The job found the hold already committed (skipped silently) or did not find it at all.
        expect(report).toMatchObject({ expired: 0, skipped: report.found });
        expect(stored.status.code).toBe('APPROVED');
        expect(types(stored)).toEqual(['CREDIT', 'DEBIT', 'ON_HOLD']);
      } else {
        expectError(c, 409, '0099');
        expect(report.expired).toBe(1);
        expect(stored.status.code).toBe('CANCELED');
        expect(stored.metadata.cancelReason).toBe('expired');
        expect(types(stored)).toEqual(['ON_HOLD', 'RELEASE']);
      }
    }
    await expectCleanBooks();
  });
});

// ---------------------------------------------------------------------------------------------
// Random sequences against a model of the state machine
// ---------------------------------------------------------------------------------------------

const ACCOUNTS = ['@p0', '@p1', '@p2'];
const FUNDS = 100n;

type Create = { kind: 'direct' | 'pending'; from: number; to: number; amount: number; expiryS: number };
/** pick counts back from the most recent hold (commit, cancel, expire) or transaction (revert). */
type Settle = { kind: 'commit' | 'cancel' | 'expire' | 'revert'; pick: number };
type Action = Create | Settle;

const recent = <T>(list: T[], pick: number): T => list[list.length - 1 - (pick % list.length)];

const leg = { from: fc.nat(2), to: fc.integer({ min: 1, max: 2 }), amount: fc.integer({ min: 1, max: 60 }), expiryS: fc.nat(100) };
const actionArb: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('direct' as const), ...leg }),
  fc.record({ kind: fc.constant('pending' as const), ...leg }),
  fc.record({ kind: fc.constantFrom('commit' as const, 'cancel' as const, 'expire' as const, 'revert' as const), pick: fc.nat(3) }),
);

interface ModelBalance {
  available: bigint;
  onHold: bigint;
  version: number;
}
interface ModelTx {
  id: string;
  from: string;
  to: string;
  amount: bigint;
  status: 'PENDING' | 'APPROVED' | 'CANCELED';
  held: boolean;
  isRevert: boolean;
  reverted: boolean;
  expiresAt?: Date;
  expired?: boolean;
}

/** Expiry times of later runs are earlier, so expiring in one run never reaches an earlier run's holds. */
const FAR = Date.now() + 1000 * 86_400_000;
let runNumber = 0;

class Model {
  readonly balances = new Map<string, ModelBalance>(ACCOUNTS.map((a) => [a, { available: FUNDS, onHold: 0n, version: 1 }]));
  readonly txs: ModelTx[] = [];
  constructor(readonly expiryBase: number) {}

  bal(alias: string): ModelBalance {
    return this.balances.get(alias)!;
  }
  move(alias: string, available: bigint, onHold: bigint): void {
    const b = this.bal(alias);
    b.available += available;
    b.onHold += onHold;
    b.version += 1;
  }
  holds(): ModelTx[] {
    return this.txs.filter((x) => x.held);
  }
  settle(tx: ModelTx, to: 'APPROVED' | 'CANCELED'): void {
    tx.status = to;
    if (to === 'APPROVED') {
      this.move(tx.from, 0n, -tx.amount);
      this.move(tx.to, tx.amount, 0n);
    } else {
      this.move(tx.from, tx.amount, -tx.amount);
    }
  }
}

/** Applies one action to the app and the model; asserts the app answered what the model predicts. */
async function step(ctx: LedgerCtx, m: Model, action: Action): Promise<void> {
  if (action.kind === 'direct' || action.kind === 'pending') {
    const a = action as Create;
    const from = ACCOUNTS[a.from];
    const to = ACCOUNTS[(a.from + a.to) % ACCOUNTS.length];
    const amount = BigInt(a.amount);
    const held = a.kind === 'pending';
    const expiresAt = held ? new Date(m.expiryBase + a.expiryS * 1000) : undefined;
    const res = await postJson(ctx, [[from, String(amount)]], [[to, String(amount)]], held ? { pending: true, expiresAt: expiresAt!.toISOString() } : {});
    if (m.bal(from).available < amount) return void expectError(res, 422, '0018');
    expect(res.status).toBe(201);
    expect(res.body.status.code).toBe(held ? 'PENDING' : 'APPROVED');
    if (held) m.move(from, -amount, amount);
    else {
      m.move(from, -amount, 0n);
      m.move(to, amount, 0n);
    }
    m.txs.push({ id: res.body.id, from, to, amount, status: held ? 'PENDING' : 'APPROVED', held, isRevert: false, reverted: false, expiresAt });
    return;
  }
  const a = action as Settle;
  const holds = m.holds();
  if (a.kind === 'commit' || a.kind === 'cancel') {
    if (holds.length === 0) return;
    const tx = recent(holds, a.pick);
    const res = await (a.kind === 'commit' ? commit(ctx, tx.id) : cancel(ctx, tx.id));
    if (tx.status !== 'PENDING') return void expectError(res, 409, '0099');
    expect(res.status).toBe(200);
    m.settle(tx, a.kind === 'commit' ? 'APPROVED' : 'CANCELED');
    expect(res.body.status.code).toBe(tx.status);
    return;
  }
  if (a.kind === 'expire') {
    if (holds.length === 0) return;
    const now = recent(holds, a.pick).expiresAt!;
    const due = holds.filter((h) => h.status === 'PENDING' && h.expiresAt!.getTime() <= now.getTime());
    const report = await expiry.expireDueHolds({ aheadMs: now.getTime() - Date.now() });
    expect({ found: report.found, expired: report.expired, failed: report.failed }).toEqual({ found: due.length, expired: due.length, failed: 0 });
    for (const h of due) {
      m.settle(h, 'CANCELED');
      h.expired = true;
    }
    return;
  }
  // revert
  if (m.txs.length === 0) return;
  const tx = recent(m.txs, a.pick);
  const res = await revert(ctx, tx.id);
  if (tx.isRevert) return void expectError(res, 422, '0088');
  if (tx.status !== 'APPROVED') return void expectError(res, 422, '0089');
  if (tx.reverted) return void expectError(res, 409, '0087');
  if (m.bal(tx.to).available < tx.amount) return void expectError(res, 422, '0018');
  expect(res.status).toBe(201);
  expect(res.body.parentTransactionId).toBe(tx.id);
  tx.reverted = true;
  m.move(tx.to, -tx.amount, 0n);
  m.move(tx.from, tx.amount, 0n);
  m.txs.push({ id: res.body.id, from: tx.to, to: tx.from, amount: tx.amount, status: 'APPROVED', held: false, isRevert: true, reverted: false });
}

describe('a refused settle inside a batch', () => {
  it('leaves the hold PENDING for the rest of the batch: a revert after a refused commit is refused too, a cancel still works', async () => {
    // Everything below lands in one batch (the app waits 150 ms before taking one).
    await withOneBatchApp('@a', '@b', async (_slow, ctx) => {
      const tx = await hold(ctx, [['@a', '10']], [['@b', '10']]);
      const b = await balanceState(ctx, '@b');
      await setFlags(b.id, { allowReceiving: false });
      const before = { a: await snapshotOf(ctx, '@a'), b: await snapshotOf(ctx, '@b') };

      // In this order, in one batch: the commit is planned (and refused) first.
      const inOrder = async (first: Promise<any>, second: () => Promise<any>) => {
        await sleep(0);
        const later = sleep(20).then(second);
        return Promise.all([first, later]);
      };
      const [committed, reverted] = await inOrder(commit(ctx, tx.id), () => revert(ctx, tx.id));
      expectError(committed, 422, '0019');
      expectError(reverted, 422, '0089');
      expect(await snapshotOf(ctx, '@a')).toEqual(before.a);
      expect(await snapshotOf(ctx, '@b')).toEqual(before.b);
      expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');

      const [refused, canceled] = await inOrder(commit(ctx, tx.id), () => cancel(ctx, tx.id));
      expectError(refused, 422, '0019');
      expect(canceled.status).toBe(200);
      expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 3));
      await expectCleanBooks();
    });
  });
});

describe('random sequences of create / pending / commit / cancel / expire / revert', () => {
  it('keep the books clean (G2-G5), every hold ended at most once with its operations (G7), balances as modelled', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(actionArb, { minLength: 1, maxLength: 12 }), async (actions) => {
        const ctx = await newLedger(t.api);
        for (const alias of ACCOUNTS) {
          await newAccount(ctx, alias);
          await fund(ctx, alias, String(FUNDS));
        }
        const m = new Model(FAR - ++runNumber * 86_400_000);
        for (const a of actions) await step(ctx, m, a);

        for (const alias of ACCOUNTS) {
          const b = m.bal(alias);
          expect({ alias, ...(await snapshotOf(ctx, alias)) }).toEqual({ alias, ...snap(b.available.toString(), b.onHold.toString(), b.version) });
        }
        for (const tx of m.holds()) {
          const stored = await getTransaction(ctx, tx.id);
          expect({ id: tx.id, status: stored.status.code }).toEqual({ id: tx.id, status: tx.status });
          if (tx.expired) expect(stored.metadata.cancelReason).toBe('expired');
          else expect(stored.metadata.cancelReason).toBeUndefined();
        }
        await expectCleanBooks();
      }),
      { numRuns: 15 },
    );
  });
});
