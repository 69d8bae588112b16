import { startApp, TestApp } from './support/app';
import { LedgerCtx } from './support/factories';
import { commit, hold, revert, snapshotOf, snap } from './support/holds';
import { fundedPair, sql, transfer } from './support/postings';

/**
 * Commit and revert post what the books say (the hold's ON_HOLD operations, the original's
 * DEBITs and CREDITs), never what the stored request body says: a body edited behind the
 * service's back cannot bend the money they move.
 */
let t: TestApp;
/** Bodies as stored before a test edited them: put back afterwards, so reconciliation runs of other tests see clean books. */
const edited: Array<{ ledgerId: string; id: string; body: unknown }> = [];
beforeAll(async () => {
  t = await startApp();
});
afterAll(async () => {
  for (const e of edited) await sql(`UPDATE transactions SET body = $3 WHERE ledger_id = $1 AND id = $2`, [e.ledgerId, e.id, e.body]);
  await t.close();
});

async function editBody(ctx: LedgerCtx, id: string, update: string, values: unknown[] = []): Promise<void> {
  const [row] = await sql(`SELECT body FROM transactions WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, id]);
  edited.push({ ledgerId: ctx.ledger, id, body: row.body });
  await sql(`UPDATE transactions SET body = ${update} WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, id, ...values]);
}

const inflate = (ctx: LedgerCtx, id: string, value: string) =>
  editBody(
    ctx,
    id,
    `jsonb_set(jsonb_set(jsonb_set(body, '{value}', to_jsonb($3::text)), '{sources,0,amount}', to_jsonb($3::text)),
       '{destinations,0,amount}', to_jsonb($3::text))`,
    [value],
  );

describe('the books, not the stored body, decide what settles', () => {
  it('a revert moves the original operations amount even when the stored body says 500', async () => {
    const ctx = await fundedPair(t.api, '1000');
    const tx = await transfer(ctx, '@a', '@b', '1.00');
    await inflate(ctx, tx.id, '500');
    const res = await revert(ctx, tx.id);
    expect(res.status).toBe(201);
    expect(res.body.amount).toBe('1');
    expect(res.body.operations.map((o: any) => [o.type, o.accountAlias, o.amount.value])).toEqual([
      ['DEBIT', '@b', '1'],
      ['CREDIT', '@a', '1'],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('1000', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('0', '0', 2));
  });

  it('a commit debits the held amount even when the stored body says more', async () => {
    const ctx = await fundedPair(t.api, '1000');
    const h = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    await inflate(ctx, h.id, '500');
    const res = await commit(ctx, h.id);
    // The destinations (kept only in the body) no longer add up to what was held: refused, nothing moves.
    expect(res.status).toBe(500);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('990', '10', 2));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('0', '0', 0));
  });

  it('a commit whose stored sources were edited still debits the held balances by what they hold', async () => {
    const ctx = await fundedPair(t.api, '1000');
    const h = await hold(ctx, [['@a', '10']], [['@b', '10']]);
    await editBody(ctx, h.id, `jsonb_set(body, '{sources,0,amount}', '"500"')`);
    const res = await commit(ctx, h.id);
    expect(res.status).toBe(200);
    expect(res.body.operations.map((o: any) => [o.type, o.accountAlias, o.amount.value])).toEqual([
      ['ON_HOLD', '@a', '10'],
      ['DEBIT', '@a', '10'],
      ['CREDIT', '@b', '10'],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('990', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('10', '0', 1));
  });
});
