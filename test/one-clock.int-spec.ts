import { PendingExpiryProcessor } from '../src/modules/transaction/jobs/pending-expiry.processor';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { cancel, getTransaction, hold, postJson, snap, snapshotOf } from './support/holds';
import { withHostClockSkew } from './support/clock';
import { fundedPair, sql } from './support/postings';

/**
 * One clock, the database's: a hold's expiry is decided and validated against Postgres now(),
 * whatever the app host's clock says. The host clock is faked (Date only; timers stay real).
 */
let t: TestApp;
beforeAll(async () => {
  t = await startApp({ PENDING_EXPIRY_INTERVAL_MS: '86400000' });
});
afterAll(() => t.close());

const MINUTE = 60_000;
async function dbNow(): Promise<number> {
  const [r] = await sql(`SELECT now() AS now`);
  return new Date(r.now).getTime();
}

describe('hold expiry follows the database clock', () => {
  it('with the host clock 5 minutes ahead, a hold due in 2 minutes is not expired by the job', async () => {
    const ctx = await fundedPair(t.api);
    const h = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: new Date((await dbNow()) + 2 * MINUTE).toISOString() });
    const run = await withHostClockSkew(5 * MINUTE, () => t.app.get(PendingExpiryProcessor).expireDueHolds({ id: 'skewed' }));
    expect(run).toMatchObject({ expired: 0, failed: 0 });
    expect((await getTransaction(ctx, h.id)).status.code).toBe('PENDING');
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('70', '30', 2));
    expect((await cancel(ctx, h.id)).status).toBe(200);
  });

  it('with the host clock 5 minutes ahead, an expiresAt 2 minutes ahead of the database is accepted', async () => {
    const ctx = await fundedPair(t.api);
    const expiresAt = new Date((await dbNow()) + 2 * MINUTE).toISOString();
    const res = await withHostClockSkew(5 * MINUTE, () => postJson(ctx, [['@a', '30']], [['@b', '30']], { pending: true, expiresAt }));
    expect(res.status).toBe(201);
    expect(res.body.status.code).toBe('PENDING');
    expect((await cancel(ctx, res.body.id)).status).toBe(200);
  });

  it('with the host clock 5 minutes behind, an expiresAt a minute in the database past is refused', async () => {
    const ctx = await fundedPair(t.api);
    const expiresAt = new Date((await dbNow()) - MINUTE).toISOString();
    const res = await withHostClockSkew(-5 * MINUTE, () => postJson(ctx, [['@a', '30']], [['@b', '30']], { pending: true, expiresAt }));
    expectError(res, 400);
    expect(res.body.fields).toEqual({ expiresAt: 'must be in the future' });
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 1));
  });
});
