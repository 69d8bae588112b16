import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { newAccount, newAsset, newLedger } from './support/factories';
import { balanceState, cancel, commit, hold } from './support/holds';
import { fundedPair, inflowBody, outflowBody } from './support/postings';

/** Deletes never strand money or holds: a balance a hold names, an asset balances still hold. */
let t: TestApp;
beforeAll(async () => {
  t = await startApp();
});
afterAll(() => t.close());

describe('DELETE balance', () => {
  it('is refused (422 1020) while a PENDING hold credits it; the hold still commits, then the delete goes through', async () => {
    const ctx = await fundedPair(t.api);
    const h = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    const b = await balanceState(ctx, '@b');
    expectError(await t.api.delete(`${ctx.base}/balances/${b.id}`), 422, '1020');
    expect((await commit(ctx, h.id)).status).toBe(200);
    expect((await t.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@b', '10'))).status).toBe(201);
    expect((await t.api.delete(`${ctx.base}/balances/${b.id}`)).status).toBe(204);
  });

  it('is refused while a PENDING hold debits it (its funds are held: 0016)', async () => {
    const ctx = await fundedPair(t.api);
    const h = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    const a = await balanceState(ctx, '@a');
    expect((await t.api.delete(`${ctx.base}/balances/${a.id}`)).status).toBe(422);
    expect((await cancel(ctx, h.id)).status).toBe(200);
  });

  it('goes through once the hold that credited it is canceled', async () => {
    const ctx = await fundedPair(t.api);
    const h = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    expect((await cancel(ctx, h.id)).status).toBe(200);
    const b = await balanceState(ctx, '@b');
    expect((await t.api.delete(`${ctx.base}/balances/${b.id}`)).status).toBe(204);
  });
});

describe('DELETE asset', () => {
  it('is refused (422 1021) while an account balance of the asset is live, even a zero one', async () => {
    const ctx = await newLedger(t.api);
    const eur = await newAsset(ctx, 'EUR');
    await newAccount(ctx, '@e', { assetCode: 'EUR' });
    expectError(await t.api.delete(`${ctx.base}/assets/${eur}`), 422, '1021');
    expect((await t.api.get(`${ctx.base}/assets/${eur}`)).status).toBe(200);
  });

  it('goes through once the accounts of the asset are gone and its external balance is zero, with the external account; the asset can be created again', async () => {
    const ctx = await newLedger(t.api);
    const eur = await newAsset(ctx, 'EUR');
    const acc = await newAccount(ctx, '@e', { assetCode: 'EUR' });
    expect((await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody('@e', '5', {}, 'EUR'))).status).toBe(201);
    expect((await t.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@e', '5', {}, 'EUR'))).status).toBe(201);
    expect((await t.api.delete(`${ctx.base}/accounts/${acc.id}`)).status).toBe(204);
    // @external/EUR is back at zero: the asset may go, and be created again.
    expect((await t.api.delete(`${ctx.base}/assets/${eur}`)).status).toBe(204);
    expect((await t.api.get(`${ctx.base}/accounts/external/EUR`)).status).toBe(404);
    expect((await t.api.post(`${ctx.base}/assets`, { name: 'Euro', type: 'currency', code: 'EUR' })).status).toBe(201);
  });
});
