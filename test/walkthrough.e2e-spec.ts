import { startApp, TestApp } from './support/app';
import { newAccount, newLedger } from './support/factories';

describe('README walk-through: org -> ledger -> asset USD -> account @alice', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(() => t.close());

  it('shows a zero default balance for @alice and the @external/USD account', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@alice');

    const balances = await t.api.get(`${ctx.base}/accounts/alias/@alice/balances`);
    expect(balances.status).toBe(200);
    expect(balances.body.items).toHaveLength(1);
    expect(balances.body.items[0]).toMatchObject({ alias: '@alice', key: 'default', available: '0', onHold: '0', version: 0 });

    const external = await t.api.get(`${ctx.base}/accounts/external/USD`);
    expect(external.status).toBe(200);
    expect(external.body).toMatchObject({ alias: '@external/USD', type: 'external', assetCode: 'USD' });
  });
});
