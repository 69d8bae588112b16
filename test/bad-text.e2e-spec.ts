import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx } from './support/factories';
import { postJson, snapshotOf } from './support/holds';
import { countTransactions, fundedPair, transferBody } from './support/postings';

/**
 * Text that is not well-formed Unicode (a lone UTF-16 surrogate sent as a JSON escape) and
 * dates that do not exist are refused with a 400 naming the field: never stored changed,
 * never a 500. (JSON.stringify writes a lone surrogate as the escape "\ud800".)
 */
let t: TestApp;
let ctx: LedgerCtx;
beforeAll(async () => {
  t = await startApp();
  ctx = await fundedPair(t.api);
});
afterAll(() => t.close());

const LONE = '\ud800';
const LONE_LOW = 'x\udc00y';

describe('text that is not well-formed Unicode', () => {
  it('a lone surrogate in a transaction description is a 400 naming the field, and nothing is posted', async () => {
    const before = await countTransactions(ctx.ledger);
    const res = await postJson(ctx, [['@a', '1']], [['@b', '1']], { description: `pay ${LONE}` });
    const body = expectError(res, 400, '0094');
    expect(body.fields).toEqual({ description: 'is not well-formed Unicode (a lone surrogate)' });
    expect(await countTransactions(ctx.ledger)).toBe(before);
  });

  it('a lone surrogate in transaction metadata, with X-Idempotency, is a 400 naming the field', async () => {
    const res = await ctx.api.post(
      `${ctx.base}/transactions/json`,
      transferBody('@a', '@b', '1', { metadata: { note: LONE_LOW } }),
      { 'X-Idempotency': `lone-${Date.now()}` },
    );
    expect(expectError(res, 400, '0094').fields).toEqual({ 'metadata.note': 'is not well-formed Unicode (a lone surrogate)' });
  });

  it('a lone surrogate in a leg or a metadata key is found at its path', async () => {
    const res = await ctx.api.post(`${ctx.base}/transactions/json`, {
      send: {
        asset: 'USD',
        value: '1',
        source: { from: [{ accountAlias: '@a', amount: { asset: 'USD', value: '1' }, metadata: { [`k${LONE}`]: 'v' } }] },
        distribute: { to: [{ accountAlias: '@b', amount: { asset: 'USD', value: '1' } }] },
      },
    });
    expect(expectError(res, 400, '0094').fields).toEqual({ 'send.source.from.0.metadata': 'has a key that is not well-formed Unicode (a lone surrogate)' });
  });

  it('a lone surrogate in account metadata is a 400 naming the field', async () => {
    const res = await ctx.api.post(`${ctx.base}/accounts`, { assetCode: 'USD', type: 'deposit', alias: '@lone', metadata: { k: LONE } });
    expect(expectError(res, 400, '0094').fields).toEqual({ 'metadata.k': 'is not well-formed Unicode (a lone surrogate)' });
    expect((await ctx.api.get(`${ctx.base}/accounts/alias/@lone`)).status).toBe(404);
  });

  it('a surrogate pair (an emoji sent as escapes) is well-formed and kept exactly', async () => {
    const res = await postJson(ctx, [['@a', '1']], [['@b', '1']], { description: 'paid \ud83d\ude00', metadata: { note: '\ud83d\ude00' } });
    expect(res.status).toBe(201);
    expect(res.body.description).toBe('paid 😀');
    expect(res.body.metadata).toEqual({ note: '😀' });
  });
});

describe('dates that are not exact RFC 3339 instants in years 1 to 9999', () => {
  it.each([
    ['transactionDate', '0000-01-01T00:00:00Z'],
    ['transactionDate', '2027-02-30T00:00:00Z'],
    ['transactionDate', '2026-12-01T24:00:00Z'],
    ['expiresAt', '2027-02-30T00:00:00Z'],
    ['expiresAt', '0000-01-01T00:00:00Z'],
  ])('%s %s is a 400 naming the field, and nothing is posted', async (field, value) => {
    const before = await snapshotOf(ctx, '@a');
    const res = await postJson(ctx, [['@a', '1']], [['@b', '1']], { [field]: value, ...(field === 'expiresAt' ? { pending: true } : {}) });
    expectError(res, 400, '0077');
    expect(Object.keys(res.body.fields)).toEqual([field]);
    expect(await snapshotOf(ctx, '@a')).toEqual(before);
  });

  it('a valid instant with an offset is stored as that instant', async () => {
    const res = await postJson(ctx, [['@a', '1']], [['@b', '1']], { transactionDate: '2026-03-01T01:30:00+02:00' });
    expect(res.status).toBe(201);
    expect(res.body.transactionDate).toBe('2026-02-28T23:30:00.000Z');
  });
});
