import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { cancel, commit, hold, postJson, snap, snapshotOf } from './support/holds';
import { fund, inflowBody, outflowBody } from './support/postings';

/**
 * A blocked account (`blocked: true`) neither sends nor receives: postings and new holds that
 * touch it are refused (422 1022); holds created before the block still commit or cancel.
 * (Midaz v3 stores the flag without enforcing it: a deliberate difference.)
 */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

async function accounts(): Promise<{ ctx: LedgerCtx; ids: Record<string, string> }> {
  const ctx = await newLedger(t.api);
  const ids: Record<string, string> = {};
  for (const alias of ['@a', '@b', '@c']) ids[alias] = (await newAccount(ctx, alias)).id;
  await fund(ctx, '@a', '100');
  return { ctx, ids };
}

const block = async (ctx: LedgerCtx, id: string, blocked = true) =>
  expect((await t.api.patch(`${ctx.base}/accounts/${id}`, { blocked })).status).toBe(200);

describe('blocked accounts', () => {
  it('cannot send: a transfer, an outflow and a hold from a blocked account are refused with 422 1022', async () => {
    const { ctx, ids } = await accounts();
    await block(ctx, ids['@a']);
    expectError(await postJson(ctx, [['@a', '10']], [['@b', '10']]), 422, '1022');
    expectError(await t.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@a', '10')), 422, '1022');
    expectError(await postJson(ctx, [['@a', '10']], [['@b', '10']], { pending: true }), 422, '1022');
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 1));
  });

  it('cannot receive: a transfer, an inflow and a hold to a blocked account are refused with 422 1022', async () => {
    const { ctx, ids } = await accounts();
    await block(ctx, ids['@b']);
    expectError(await postJson(ctx, [['@a', '10']], [['@b', '10']]), 422, '1022');
    expectError(await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody('@b', '10')), 422, '1022');
    expectError(await postJson(ctx, [['@a', '10']], [['@b', '10']], { pending: true }), 422, '1022');
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('0', '0', 0));
  });

  it('holds created before the block still commit and cancel', async () => {
    const { ctx, ids } = await accounts();
    const toCommit = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    const toCancel = await hold(ctx, [['@a', '5']], [['@b', '5']]);
    await block(ctx, ids['@a']);
    await block(ctx, ids['@b']);
    expect((await commit(ctx, toCommit.id)).status).toBe(200);
    expect((await cancel(ctx, toCancel.id)).status).toBe(200);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('90', '0', 5));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('10', '0', 1));
  });

  it('posts again once unblocked; other accounts are never affected', async () => {
    const { ctx, ids } = await accounts();
    await block(ctx, ids['@b']);
    expect((await postJson(ctx, [['@a', '10']], [['@c', '10']])).status).toBe(201);
    await block(ctx, ids['@b'], false);
    expect((await postJson(ctx, [['@a', '10']], [['@b', '10']])).status).toBe(201);
  });
});
