import { randomUUID } from 'crypto';
import { AssertionFailure } from '../src/common/errors/app-error';
import { formatAmount } from '../src/common/money/amount';
import * as legPlan from '../src/modules/transaction/domain/leg-plan';
import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { balanceOf, countTransactions, fund, fundedPair, inflowBody, outflowBody, sql, transferBody } from './support/postings';
import { TEST_DATABASE_URL } from './support/test-env';

/** POST .../transactions/batch (atomic and independent), over HTTP against the real app and database. */
let t: TestApp;
beforeAll(async () => {
  t = await startApp({ TRANSACTION_BATCH_MAX_ITEMS: '50' });
});
afterAll(() => t.close());

type Item = { type: 'json' | 'inflow' | 'outflow'; body: unknown; idempotencyKey?: string };
const json = (from: string, to: string, value: string, extra: Record<string, unknown> = {}): Item => ({ type: 'json', body: transferBody(from, to, value, extra) });
const batch = (ctx: LedgerCtx, mode: 'atomic' | 'independent', transactions: Item[], headers?: Record<string, string>) =>
  t.api.post(`${ctx.base}/transactions/batch`, { mode, transactions }, headers);

async function threeAccounts(): Promise<LedgerCtx> {
  const ctx = await fundedPair(t.api, '100');
  await newAccount(ctx, '@c');
  return ctx;
}

describe('atomic batch', () => {
  it('applies every item in request order and answers 201 with each transaction', async () => {
    const ctx = await threeAccounts();
    // @b and @c receive before they send, so only request order makes these valid.
    const res = await batch(ctx, 'atomic', [json('@a', '@b', '60'), json('@b', '@c', '50'), json('@c', '@a', '20'), { type: 'outflow', body: outflowBody('@c', '30') }]);
    expect(res.status).toBe(201);
    expect(res.body.items.map((i: any) => [i.index, i.status, i.transaction.status.code])).toEqual([
      [0, 201, 'APPROVED'],
      [1, 201, 'APPROVED'],
      [2, 201, 'APPROVED'],
      [3, 201, 'APPROVED'],
    ]);
    // Each item's transaction is exactly what GET answers for it (every field, operations included).
    for (const item of res.body.items) expect(item.transaction).toEqual((await t.api.get(`${ctx.base}/transactions/${item.transaction.id}`)).body);
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '60' });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '10' });
    expect(await balanceOf(ctx, '@c')).toMatchObject({ available: '0' });
    // One balance version per operation, in order: @b was credited (v2) then debited (v3).
    const ops = await sql(`SELECT version_after::int AS v, type FROM operations WHERE ledger_id = $1 AND account_alias = '@b' ORDER BY version_after`, [ctx.ledger]);
    expect(ops).toEqual([
      { v: 1, type: 'CREDIT' },
      { v: 2, type: 'DEBIT' },
    ]);
  });

  it('applies nothing when one item is refused: 422 with the index and code of the first refused item', async () => {
    const ctx = await threeAccounts();
    const before = await countTransactions(ctx.ledger);
    const res = await batch(ctx, 'atomic', [json('@a', '@b', '10'), json('@a', '@c', '500'), json('@a', '@nobody', '1'), json('@a', '@c', '1')]);
    expect(expectError(res, 422, '0018')).toMatchObject({ index: 1 });
    expect(await countTransactions(ctx.ledger)).toBe(before);
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '100', version: 1 });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '0', version: 0 });
  });

  it('names an unknown account as that item’s own code, still a 422', async () => {
    const ctx = await threeAccounts();
    const res = await batch(ctx, 'atomic', [json('@a', '@b', '10'), json('@a', '@nobody', '1')]);
    expect(expectError(res, 422, '0085')).toMatchObject({ index: 1, alias: '@nobody' });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '0' });
  });

  it('allows pending items and commits them later like any hold', async () => {
    const ctx = await threeAccounts();
    const res = await batch(ctx, 'atomic', [json('@a', '@b', '30', { pending: true }), json('@a', '@c', '5')]);
    expect(res.status).toBe(201);
    const hold = res.body.items[0].transaction;
    expect(hold.status.code).toBe('PENDING');
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '65', onHold: '30' });
    expect((await t.api.post(`${ctx.base}/transactions/${hold.id}/commit`)).status).toBe(200);
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '30' });
  });
});

describe('independent batch', () => {
  it('applies exactly the good items and answers each with its own status', async () => {
    const ctx = await threeAccounts();
    const res = await batch(ctx, 'independent', [
      json('@a', '@b', '40'),
      json('@a', '@c', '70'), // 60 left on @a: refused
      json('@a', '@nobody', '1'),
      json('@a', '@c', '61'),
      { type: 'inflow', body: inflowBody('@c', '5') },
      // A share that does not divide exactly: refused by its item, not the request.
      { type: 'json', body: { send: { asset: 'USD', value: '0.000000000000000001', source: { from: [{ accountAlias: '@b', share: { percentage: 50 } }, { accountAlias: '@b', remaining: 'r' }] }, distribute: { to: [{ accountAlias: '@c', remaining: 'r' }] } } } },
    ]);
    expect(res.status).toBe(200);
    expect(res.body.items.map((i: any) => [i.index, i.status, i.error?.code ?? i.transaction.status.code])).toEqual([
      [0, 201, 'APPROVED'],
      [1, 422, '0018'],
      [2, 404, '0085'],
      [3, 422, '0018'],
      [4, 201, 'APPROVED'],
      [5, 422, '1011'],
    ]);
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '60' });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '40' });
    expect(await balanceOf(ctx, '@c')).toMatchObject({ available: '5' });
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
  });
});

describe('an integrity assertion failing on one item', () => {
  const realPlan = legPlan.planLegs;
  let spy: jest.SpyInstance;
  beforeEach(() => {
    spy = jest.spyOn(legPlan, 'planLegs').mockImplementation((action, transfer, lookup) => {
      if (formatAmount(transfer.value) === '13.13') throw new AssertionFailure('injected: unbalanced plan', { secret: 'detail' });
      return realPlan(action, transfer, lookup);
    });
  });
  afterEach(() => spy.mockRestore());

  it('independent: that item answers 500 with a generic body, the others apply', async () => {
    const ctx = await threeAccounts();
    const res = await batch(ctx, 'independent', [json('@a', '@b', '1'), json('@a', '@b', '13.13'), json('@a', '@c', '2')]);
    expect(res.body.items.map((i: any) => [i.status, i.error?.code ?? 'ok'])).toEqual([
      [201, 'ok'],
      [500, '1000'],
      [201, 'ok'],
    ]);
    expect(JSON.stringify(res.body)).not.toContain('secret');
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '97' });
  });

  it('atomic: the request answers 500 and nothing is applied', async () => {
    const ctx = await threeAccounts();
    const res = await batch(ctx, 'atomic', [json('@a', '@b', '1'), json('@a', '@b', '13.13')]);
    expect(expectError(res, 500, '1000').message).not.toContain('unbalanced');
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '100' });
  });
});

describe('idempotency', () => {
  it('replays the whole stored response for the same request key and body, 409 for another body', async () => {
    const ctx = await threeAccounts();
    const key = { 'X-Idempotency': `batch-${randomUUID()}` };
    const items = [json('@a', '@b', '10'), json('@a', '@nobody', '1')];
    const first = await batch(ctx, 'independent', items, key);
    expect(first.status).toBe(200);
    const again = await batch(ctx, 'independent', items, key);
    expect(again.status).toBe(200);
    expect(again.headers.get('x-idempotency-replayed')).toBe('true');
    expect(again.body).toEqual(first.body);
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '10' });
    expectError(await batch(ctx, 'independent', [json('@a', '@b', '11')], key), 409, '0084');
  });

  it('a refused atomic batch keeps no request key: the same key may be sent again once it can apply', async () => {
    const ctx = await threeAccounts();
    const key = { 'X-Idempotency': `batch-${randomUUID()}` };
    expectError(await batch(ctx, 'atomic', [json('@a', '@b', '500')], key), 422, '0018');
    await fund(ctx, '@a', '400');
    expect((await batch(ctx, 'atomic', [json('@a', '@b', '500')], key)).status).toBe(201);
  });

  it('an item key acts as the X-Idempotency of its single route: a key already used answers that item from its stored result', async () => {
    const ctx = await threeAccounts();
    const body = transferBody('@a', '@b', '7');
    const single = await t.api.post(`${ctx.base}/transactions/json`, body, { 'X-Idempotency': 'item-1' });
    expect(single.status).toBe(201);
    const res = await batch(ctx, 'independent', [
      { type: 'json', idempotencyKey: 'item-1', body },
      { type: 'json', idempotencyKey: 'item-1', body: transferBody('@a', '@b', '8') },
      { type: 'json', idempotencyKey: 'item-2', body: transferBody('@a', '@c', '3') },
      { type: 'json', idempotencyKey: 'item-2', body: transferBody('@a', '@c', '3') },
    ]);
    expect(res.body.items.map((i: any) => [i.status, i.replayed ?? false, i.transaction?.id ?? i.error.code])).toEqual([
      [201, true, single.body.id],
      [409, false, '0084'],
      [201, false, res.body.items[2].transaction.id],
      [201, true, res.body.items[2].transaction.id],
    ]);
    expect(await balanceOf(ctx, '@a')).toMatchObject({ available: '90' });
    // The item's key answers its single route too.
    const replay = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@a', '@c', '3'), { 'X-Idempotency': 'item-2' });
    expect(replay.headers.get('x-idempotency-replayed')).toBe('true');
    expect(replay.body.id).toBe(res.body.items[2].transaction.id);
  });
});

describe('request checks', () => {
  it('a malformed item makes the whole request a 400 naming its index, and nothing is applied', async () => {
    const ctx = await threeAccounts();
    const bad = { type: 'json', body: { send: { asset: 'USD', value: '1.5e3', source: { from: [{ accountAlias: '@a', remaining: 'r' }] }, distribute: { to: [{ accountAlias: '@b', remaining: 'r' }] } } } };
    const res = await batch(ctx, 'independent', [json('@a', '@b', '1'), bad as Item]);
    expect(expectError(res, 400, '1010')).toMatchObject({ index: 1 });
    expect(Object.keys(res.body.fields)).toEqual(['transactions.1.body.send.value']);
    // An inflow body with a source is not an inflow body.
    const wrongShape = await batch(ctx, 'independent', [{ type: 'inflow', body: transferBody('@a', '@b', '1') }]);
    expect(expectError(wrongShape, 400, '0053')).toMatchObject({ index: 0 });
    // Checks the service makes (a date that does not exist) name the item too.
    const badDate = await batch(ctx, 'atomic', [json('@a', '@b', '1'), json('@a', '@b', '1', { transactionDate: '2027-02-30T00:00:00Z' })]);
    expect(expectError(badDate, 400, '0077')).toMatchObject({ index: 1 });
    expect(await balanceOf(ctx, '@b')).toMatchObject({ available: '0' });
  });

  it('refuses an empty batch, an unknown mode and more items than TRANSACTION_BATCH_MAX_ITEMS', async () => {
    const ctx = await threeAccounts();
    expectError(await batch(ctx, 'atomic', []), 400);
    expectError(await t.api.post(`${ctx.base}/transactions/batch`, { mode: 'sometimes', transactions: [json('@a', '@b', '1')] }), 400);
    const tooMany = await batch(ctx, 'independent', Array.from({ length: 51 }, () => json('@a', '@b', '0.01')));
    expect(expectError(tooMany, 400, '0047').fields).toEqual({ transactions: 'at most 50 items' });
  });

  it('answers 404 for a ledger of another organization', async () => {
    const ctx = await threeAccounts();
    const other = await newLedger(t.api);
    const res = await t.api.post(`/v1/organizations/${other.org}/ledgers/${ctx.ledger}/transactions/batch`, { mode: 'atomic', transactions: [json('@a', '@b', '1')] });
    expectError(res, 404, '0007');
  });
});


describe('body limits', () => {
  it('lets a batch request carry up to TRANSACTION_BATCH_BODY_LIMIT_BYTES while other routes keep BODY_LIMIT_BYTES', async () => {
    const own = await startApp({ BODY_LIMIT_BYTES: '4096', TRANSACTION_BATCH_BODY_LIMIT_BYTES: '65536' });
    try {
      const ctx = await fundedPair(own.api, '100');
      const items = Array.from({ length: 40 }, () => json('@a', '@b', '0.01'));
      expect(JSON.stringify({ mode: 'atomic', transactions: items }).length).toBeGreaterThan(4096);
      expect((await own.api.post(`${ctx.base}/transactions/batch`, { mode: 'atomic', transactions: items })).status).toBe(201);
      const padded = transferBody('@a', '@b', '1', { description: 'x'.repeat(200), metadata: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, 'v'.repeat(150)])) });
      expectError(await own.api.post(`${ctx.base}/transactions/json`, padded), 413, '1001');
      const tooBig = Array.from({ length: 300 }, () => json('@a', '@b', '0.01'));
      expectError(await own.api.post(`${ctx.base}/transactions/batch`, { mode: 'atomic', transactions: tooBig }), 413, '1001');
    } finally {
      await own.close();
    }
  });
});
