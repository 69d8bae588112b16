import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { cancel, commit, getTransaction, hold, opsOf, postJson, revert, snap, snapshotOf, balanceState } from './support/holds';
import { checkHolds } from './support/holds-check';
import { fund, setFlags } from './support/postings';
import { TEST_DATABASE_URL } from './support/test-env';


/**
 * The hold state machine of DESIGN section 4, one test per row, over HTTP against the real
 * app: every balance's available, onHold and version, and every operation's snapshots.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

/** A fresh ledger with @a (100) and @b (50) funded, @c and @d empty. */
async function fourAccounts(): Promise<LedgerCtx> {
  const ctx = await newLedger(t.api);
  for (const alias of ['@a', '@b', '@c', '@d']) await newAccount(ctx, alias);
  await fund(ctx, '@a', '100');
  await fund(ctx, '@b', '50');
  return ctx;
}

/** The hold used by the rows below: @a 30 + @b 20 held for @c 40 + @d 10. */
const holdFourWay = (ctx: LedgerCtx) =>
  hold(ctx, [['@a', '30'], ['@b', '20']], [['@c', '40'], ['@d', '10']], { metadata: { order: 'o-1' } });

describe('hold state machine', () => {
  it('create pending: ON_HOLD on each source, nothing on destinations, status PENDING', async () => {
    const ctx = await fourAccounts();
    const tx = await holdFourWay(ctx);

    expect(tx.status.code).toBe('PENDING');
    expect(tx.amount).toBe('50');
    expect(opsOf(tx)).toEqual([
      ['ON_HOLD', '@a', '30', snap('100', '0', 1), snap('70', '30', 2)],
      ['ON_HOLD', '@b', '20', snap('50', '0', 1), snap('30', '20', 2)],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('70', '30', 2));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('30', '20', 2));
    expect(await snapshotOf(ctx, '@c')).toEqual(snap('0', '0', 0));
    expect(await snapshotOf(ctx, '@d')).toEqual(snap('0', '0', 0));
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('PENDING');
    expect(opsOf(stored)).toEqual(opsOf(tx));
  });

  it('commit: DEBIT from onHold on each source, CREDIT on each destination, status APPROVED', async () => {
    const ctx = await fourAccounts();
    const tx = await holdFourWay(ctx);

    const res = await commit(ctx, tx.id);
    expect(res.status).toBe(200);
    expect(res.body.status.code).toBe('APPROVED');
    expect(opsOf(res.body, ['DEBIT', 'CREDIT'])).toEqual([
      ['CREDIT', '@c', '40', snap('0', '0', 0), snap('40', '0', 1)],
      ['CREDIT', '@d', '10', snap('0', '0', 0), snap('10', '0', 1)],
      ['DEBIT', '@a', '30', snap('70', '30', 2), snap('70', '0', 3)],
      ['DEBIT', '@b', '20', snap('30', '20', 2), snap('30', '0', 3)],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('70', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('30', '0', 3));
    expect(await snapshotOf(ctx, '@c')).toEqual(snap('40', '0', 1));
    expect(await snapshotOf(ctx, '@d')).toEqual(snap('10', '0', 1));
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('APPROVED');
    expect(stored.operations.map((o: { type: string }) => o.type).sort()).toEqual(['CREDIT', 'CREDIT', 'DEBIT', 'DEBIT', 'ON_HOLD', 'ON_HOLD']);
  });

  it('cancel: RELEASE on each source, destinations untouched, status CANCELED', async () => {
    const ctx = await fourAccounts();
    const tx = await holdFourWay(ctx);

    const res = await cancel(ctx, tx.id);
    expect(res.status).toBe(200);
    expect(res.body.status.code).toBe('CANCELED');
    expect(opsOf(res.body, ['RELEASE'])).toEqual([
      ['RELEASE', '@a', '30', snap('70', '30', 2), snap('100', '0', 3)],
      ['RELEASE', '@b', '20', snap('30', '20', 2), snap('50', '0', 3)],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('50', '0', 3));
    expect(await snapshotOf(ctx, '@c')).toEqual(snap('0', '0', 0));
    expect(await snapshotOf(ctx, '@d')).toEqual(snap('0', '0', 0));
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('CANCELED');
    expect(stored.metadata).toEqual({ order: 'o-1' });
    expect(stored.operations.map((o: { type: string }) => o.type).sort()).toEqual(['ON_HOLD', 'ON_HOLD', 'RELEASE', 'RELEASE']);
  });

  it('revert: a new APPROVED transaction with the legs swapped and parentTransactionId set', async () => {
    const ctx = await fourAccounts();
    const direct = await postJson(ctx, [['@a', '30'], ['@b', '20']], [['@c', '40'], ['@d', '10']]);
    expect(direct.status).toBe(201);

    const res = await revert(ctx, direct.body.id);
    expect(res.status).toBe(201);
    expect(res.body.id).not.toBe(direct.body.id);
    expect(res.body.parentTransactionId).toBe(direct.body.id);
    expect(res.body.status.code).toBe('APPROVED');
    expect(res.body.amount).toBe('50');
    expect(res.body.source.sort()).toEqual(['@c', '@d']);
    expect(res.body.destination.sort()).toEqual(['@a', '@b']);
    expect(opsOf(res.body)).toEqual([
      ['CREDIT', '@a', '30', snap('70', '0', 2), snap('100', '0', 3)],
      ['CREDIT', '@b', '20', snap('30', '0', 2), snap('50', '0', 3)],
      ['DEBIT', '@c', '40', snap('40', '0', 1), snap('0', '0', 2)],
      ['DEBIT', '@d', '10', snap('10', '0', 1), snap('0', '0', 2)],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 3));
    expect(await snapshotOf(ctx, '@c')).toEqual(snap('0', '0', 2));
    expect((await getTransaction(ctx, direct.body.id)).status.code).toBe('APPROVED');
  });

  it('revert of a committed hold debits the destinations from available and credits the sources', async () => {
    const ctx = await fourAccounts();
    const tx = await holdFourWay(ctx);
    expect((await commit(ctx, tx.id)).status).toBe(200);

    const res = await revert(ctx, tx.id);
    expect(res.status).toBe(201);
    expect(res.body.parentTransactionId).toBe(tx.id);
    expect(opsOf(res.body)).toEqual([
      ['CREDIT', '@a', '30', snap('70', '0', 3), snap('100', '0', 4)],
      ['CREDIT', '@b', '20', snap('30', '0', 3), snap('50', '0', 4)],
      ['DEBIT', '@c', '40', snap('40', '0', 1), snap('0', '0', 2)],
      ['DEBIT', '@d', '10', snap('10', '0', 1), snap('0', '0', 2)],
    ]);
  });
});

describe('hold refusals', () => {
  let ctx: LedgerCtx;
  beforeAll(async () => {
    ctx = await fourAccounts();
  });

  it('a hold from @external/USD is refused with 422 0098 and changes no balance', async () => {
    const external = await snapshotOf(ctx, '@external/USD');
    const res = await postJson(ctx, [['@external/USD', '10']], [['@c', '10']], { pending: true });
    expectError(res, 422, '0098');
    expect(await snapshotOf(ctx, '@external/USD')).toEqual(external);
    expect(await snapshotOf(ctx, '@c')).toEqual(snap('0', '0', 0));
  });

  it('commit of an APPROVED transaction answers 409 0099', async () => {
    const direct = await postJson(ctx, [['@a', '1']], [['@c', '1']]);
    const before = await snapshotOf(ctx, '@a');
    expectError(await commit(ctx, direct.body.id), 409, '0099');
    expect(await snapshotOf(ctx, '@a')).toEqual(before);
  });

  it('cancel of an APPROVED transaction answers 409 0099', async () => {
    const direct = await postJson(ctx, [['@a', '1']], [['@c', '1']]);
    const before = await snapshotOf(ctx, '@a');
    expectError(await cancel(ctx, direct.body.id), 409, '0099');
    expect(await snapshotOf(ctx, '@a')).toEqual(before);
  });

  it('commit of a committed hold answers 409 0099 and adds no operation', async () => {
    const tx = await hold(ctx, [['@a', '2']], [['@c', '2']]);
    expect((await commit(ctx, tx.id)).status).toBe(200);
    expectError(await commit(ctx, tx.id), 409, '0099');
    expect((await getTransaction(ctx, tx.id)).operations).toHaveLength(3);
  });

  it('cancel of a committed hold answers 409 0099 and keeps it APPROVED', async () => {
    const tx = await hold(ctx, [['@a', '2']], [['@c', '2']]);
    expect((await commit(ctx, tx.id)).status).toBe(200);
    expectError(await cancel(ctx, tx.id), 409, '0099');
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('APPROVED');
    expect(stored.operations).toHaveLength(3);
  });

  it('commit of a canceled hold answers 409 0099 and keeps it CANCELED', async () => {
    const tx = await hold(ctx, [['@a', '2']], [['@c', '2']]);
    expect((await cancel(ctx, tx.id)).status).toBe(200);
    const c = await snapshotOf(ctx, '@c');
    expectError(await commit(ctx, tx.id), 409, '0099');
    expect((await getTransaction(ctx, tx.id)).status.code).toBe('CANCELED');
    expect(await snapshotOf(ctx, '@c')).toEqual(c);
  });

  it('cancel of a canceled hold answers 409 0099 and releases nothing twice', async () => {
    const tx = await hold(ctx, [['@a', '2']], [['@c', '2']]);
    expect((await cancel(ctx, tx.id)).status).toBe(200);
    const a = await snapshotOf(ctx, '@a');
    expectError(await cancel(ctx, tx.id), 409, '0099');
    expect(await snapshotOf(ctx, '@a')).toEqual(a);
    expect((await getTransaction(ctx, tx.id)).operations).toHaveLength(2);
  });

  it('revert of a revert answers 422 0088', async () => {
    const direct = await postJson(ctx, [['@a', '3']], [['@c', '3']]);
    const rev = await revert(ctx, direct.body.id);
    expect(rev.status).toBe(201);
    expectError(await revert(ctx, rev.body.id), 422, '0088');
  });

  it('a second revert answers 409 0087 and moves nothing', async () => {
    const direct = await postJson(ctx, [['@a', '3']], [['@c', '3']]);
    expect((await revert(ctx, direct.body.id)).status).toBe(201);
    const a = await snapshotOf(ctx, '@a');
    expectError(await revert(ctx, direct.body.id), 409, '0087');
    expect(await snapshotOf(ctx, '@a')).toEqual(a);
  });

  it('revert of a PENDING hold answers 422 0089', async () => {
    const tx = await hold(ctx, [['@a', '4']], [['@c', '4']]);
    expectError(await revert(ctx, tx.id), 422, '0089');
    expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');
  });

  it('revert of a CANCELED hold answers 422 0089', async () => {
    const tx = await hold(ctx, [['@a', '4']], [['@c', '4']]);
    expect((await cancel(ctx, tx.id)).status).toBe(200);
    expectError(await revert(ctx, tx.id), 422, '0089');
  });

  it('commit is refused with 422 0019 when a destination stopped receiving, and the hold stays PENDING', async () => {
    const tx = await hold(ctx, [['@a', '5']], [['@d', '5']]);
    const d = await balanceState(ctx, '@d');
    await setFlags(d.id, { allowReceiving: false });
    const a = await snapshotOf(ctx, '@a');

    expectError(await commit(ctx, tx.id), 422, '0019');
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('PENDING');
    expect(stored.operations).toHaveLength(1);
    expect(await snapshotOf(ctx, '@a')).toEqual(a);
    expect(await snapshotOf(ctx, '@d')).toEqual({ available: d.available, onHold: d.onHold, version: d.version });
    // The hold can still end: cancel releases it.
    expect((await cancel(ctx, tx.id)).status).toBe(200);
  });

  it('expiresAt in the past answers 400 and holds nothing', async () => {
    const a = await snapshotOf(ctx, '@a');
    const res = await postJson(ctx, [['@a', '1']], [['@c', '1']], { pending: true, expiresAt: new Date(Date.now() - 60_000).toISOString() });
    expectError(res, 400);
    expect(res.body.fields).toHaveProperty('expiresAt');
    expect(await snapshotOf(ctx, '@a')).toEqual(a);
  });

  it('expiresAt without pending answers 400 and moves nothing', async () => {
    const a = await snapshotOf(ctx, '@a');
    const res = await postJson(ctx, [['@a', '1']], [['@c', '1']], { expiresAt: new Date(Date.now() + 60_000).toISOString() });
    expectError(res, 400);
    expect(res.body.fields).toHaveProperty('expiresAt');
    expect(await snapshotOf(ctx, '@a')).toEqual(a);
  });
});

describe('books', () => {
  it('are clean (G2-G5) and every hold has exactly its state machine operations (G7) after the scenarios above', async () => {
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
    expect(await checkHolds(TEST_DATABASE_URL)).toEqual([]);
  });
});
