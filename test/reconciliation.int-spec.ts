import { randomUUID } from 'crypto';
import type Redis from 'ioredis';
import { startApp, TestApp } from './support/app';
import { cacheKeyOf } from './support/balance-cache';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { cancel, hold } from './support/holds';
import { fund, outflowBody, sql, transfer } from './support/postings';
import {
  checkOf,
  evictLedgerCache,
  ledgerReport,
  problems,
  QUIET_JOBS,
  redisClient,
  runReconciliation,
  sampledIds,
} from './support/reconciliation';

/**
 * Each way the books can be corrupted that a check exists for: the next run reports exactly
 * that check (scoped to the test's own ledger), with its severity and the corrupted id in
 * its samples. Every test repairs what it broke, since other test files share the database.
 */
let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  t = await startApp(QUIET_JOBS);
  redis = redisClient();
});
afterAll(async () => {
  await t.close();
  redis.disconnect();
});

interface Books {
  ctx: LedgerCtx;
  a: string; // balance ids
  b: string;
  /** @a: v1 CREDIT 100 (inflow), v2 DEBIT 10 (transfer 1), v3 DEBIT 5 (transfer 2). */
  opsOfA: Array<{ id: string; version: number; transaction_id: string }>;
  transfer1: string;
}

/** A fresh ledger: @a funded 100, two transfers @a -> @b (10, then 5); no cached balances. */
async function books(): Promise<Books> {
  const ctx = await newLedger(t.api);
  await newAccount(ctx, '@a');
  await newAccount(ctx, '@b');
  await fund(ctx, '@a', '100');
  const transfer1 = (await transfer(ctx, '@a', '@b', '10')).id;
  await transfer(ctx, '@a', '@b', '5');
  const [a] = await sql(`SELECT id FROM balances WHERE ledger_id = $1 AND alias = '@a'`, [ctx.ledger]);
  const [b] = await sql(`SELECT id FROM balances WHERE ledger_id = $1 AND alias = '@b'`, [ctx.ledger]);
  const opsOfA = await sql(
    `SELECT id, version_after::int AS version, transaction_id FROM operations WHERE ledger_id = $1 AND balance_id = $2 ORDER BY version_after`,
    [ctx.ledger, a.id],
  );
  // A corrupted balance in Postgres would also differ from its (correct) cached copy: keep the cache out of it.
  await evictLedgerCache(redis, ctx.ledger);
  return { ctx, a: a.id, b: b.id, opsOfA, transfer1 };
}

/** A leg as transactions.body stores it. */
const leg = (alias: string, amount: string) => ({ alias, balanceKey: 'default', amount });

/** A full run; the report restricted to the ledger. */
async function fullRunFor(ctx: LedgerCtx): Promise<any> {
  const id = await runReconciliation(t.api, { full: true });
  return ledgerReport(t.api, id, ctx.ledger);
}

describe('reconciliation finds each corruption of the books', () => {
  it('a clean, busy ledger is HEALTHY', async () => {
    const { ctx } = await books();
    await newAccount(ctx, '@c');
    await fund(ctx, '@b', '250.75');
    const pairs = [['@a', '@c'], ['@b', '@c'], ['@c', '@a'], ['@b', '@a'], ['@a', '@b']];
    for (let i = 0; i < 20; i++) await transfer(ctx, pairs[i % 5][0], pairs[i % 5][1], `${(i % 4) + 1}.25`);
    const committed = await hold(ctx, [['@b', '30']], [['@c', '30']]);
    expect((await t.api.post(`${ctx.base}/transactions/${committed.id}/commit`)).status).toBe(200);
    const canceled = await hold(ctx, [['@c', '12']], [['@a', '12']]);
    expect((await cancel(ctx, canceled.id)).status).toBe(200);
    await hold(ctx, [['@a', '1']], [['@b', '1']]); // stays PENDING, not expired
    expect((await t.api.post(`${ctx.base}/transactions/${committed.id}/revert`)).status).toBe(201);
    const keyed = await t.api.post(
      `${ctx.base}/transactions/json`,
      { send: { asset: 'USD', value: '2', source: { from: [{ accountAlias: '@c', amount: { asset: 'USD', value: '2' } }] }, distribute: { to: [{ accountAlias: '@b', amount: { asset: 'USD', value: '2' } }] } } },
      { 'X-Idempotency': `busy-${randomUUID()}` },
    );
    expect(keyed.status).toBe(201);

    const report = await fullRunFor(ctx);
    expect(report.state).toBe('FINISHED');
    expect(report.mode).toBe('full');
    expect(report.scope).toEqual({ organizationId: null, ledgerId: ctx.ledger });
    expect(problems(report)).toEqual([]);
    expect(report.status).toBe('HEALTHY');
    expect(report.issues).toBe(0);
    expect(checkOf(report, 'operation-chain').scanned).toBeGreaterThan(40);
  });

  it('a balance edited in SQL: balance-fold and conservation, CRITICAL, naming the balance', async () => {
    const { ctx, b } = await books();
    await sql(`UPDATE balances SET available = available + 5 WHERE id = $1`, [b]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['balance-fold:CRITICAL', 'conservation:CRITICAL']);
      expect(report.status).toBe('CRITICAL');
      const fold = checkOf(report, 'balance-fold');
      expect(sampledIds(fold)).toEqual([b]);
      expect(fold.samples[0]).toMatchObject({ expected: { available: '15', onHold: '0' }, actual: { available: '20', onHold: '0' } });
      expect(checkOf(report, 'conservation').samples[0]).toMatchObject({ id: ctx.ledger, asset: 'USD', actual: { sum: '5' } });
    } finally {
      await sql(`UPDATE balances SET available = available - 5 WHERE id = $1`, [b]);
    }
  });

  it('a deleted operation: fold, chain, double entry and orphan transaction, CRITICAL, naming what it belonged to', async () => {
    const { ctx, a, opsOfA, transfer1 } = await books();
    const deleted = opsOfA[1]; // @a's DEBIT 10 of transfer 1
    const [saved] = await sql(`SELECT to_jsonb(o) AS row FROM operations o WHERE id = $1`, [deleted.id]);
    await sql(`DELETE FROM operations WHERE id = $1`, [deleted.id]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual([
        'balance-fold:CRITICAL',
        'body-legs:CRITICAL',
        'double-entry:CRITICAL',
        'operation-chain:CRITICAL',
        'orphan-transactions:CRITICAL',
      ]);
      expect(sampledIds(checkOf(report, 'balance-fold'))).toEqual([a]);
      expect(sampledIds(checkOf(report, 'double-entry'))).toEqual([transfer1]);
      expect(sampledIds(checkOf(report, 'orphan-transactions'))).toEqual([transfer1]);
      const chain = checkOf(report, 'operation-chain');
      expect(chain.samples).toHaveLength(1);
      expect(chain.samples[0]).toMatchObject({ id: opsOfA[2].id, balanceId: a, expected: { previousVersion: '2' } });
    } finally {
      await sql(`INSERT INTO operations SELECT * FROM jsonb_populate_record(NULL::operations, $1::jsonb)`, [saved.row]);
    }
  });

  it('an unbalanced transaction: double-entry and conservation, CRITICAL, naming the transaction', async () => {
    const { ctx, a, b } = await books();
    const before = await sql(`SELECT id, available, on_hold, version, updated_at FROM balances WHERE id = ANY($1::uuid[])`, [[a, b]]);
    const tx = randomUUID();
    // Debits 10 from @a, credits 7 to @b: each operation chained correctly, balances following them.
    await sql(
      `INSERT INTO transactions (ledger_id, id, organization_id, status_code, amount, asset_code, source, destination, body)
       VALUES ($1, $2, $3, 'APPROVED', 10, 'USD', ARRAY['@a'], ARRAY['@b'], $4)`,
      [ctx.ledger, tx, ctx.org, { asset: 'USD', value: '10', sources: [leg('@a', '10')], destinations: [leg('@b', '7')] }],
    );
    for (const [balance, type, amount] of [[a, 'DEBIT', -10], [b, 'CREDIT', 7]] as const) {
      await sql(
        `INSERT INTO operations (ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias, balance_key,
           asset_code, type, amount, available_before, on_hold_before, version_before, available_after, on_hold_after, version_after)
         SELECT ledger_id, $2, organization_id, $3, id, account_id, alias, key, asset_code, $4, abs($5::numeric), available, on_hold,
                version, available + $5::numeric, on_hold, version + 1
           FROM balances WHERE id = $1`,
        [balance, randomUUID(), tx, type, amount],
      );
      await sql(`UPDATE balances SET available = available + $2::numeric, version = version + 1, updated_at = now() WHERE id = $1`, [balance, amount]);
    }
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['conservation:CRITICAL', 'double-entry:CRITICAL']);
      const entry = checkOf(report, 'double-entry');
      expect(sampledIds(entry)).toEqual([tx]);
      expect(entry.samples[0]).toMatchObject({ actual: { debits: '10', credits: '7' } });
      expect(checkOf(report, 'conservation').samples[0].actual.sum).toBe('-3');
    } finally {
      await sql(`DELETE FROM operations WHERE ledger_id = $1 AND transaction_id = $2`, [ctx.ledger, tx]);
      await sql(`DELETE FROM transactions WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, tx]);
      for (const r of before) {
        await sql(`UPDATE balances SET available = $2, on_hold = $3, version = $4, updated_at = $5 WHERE id = $1`, [r.id, r.available, r.on_hold, r.version, r.updated_at]);
      }
    }
  });

  it('a broken version chain: operation-chain and balance-version, CRITICAL, naming the moved operation', async () => {
    const { ctx, a, opsOfA } = await books();
    const moved = opsOfA[1]; // v2 -> v12
    await sql(`UPDATE operations SET version_before = version_before + 10, version_after = version_after + 10 WHERE id = $1`, [moved.id]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['balance-version:CRITICAL', 'operation-chain:CRITICAL']);
      const chain = checkOf(report, 'operation-chain');
      expect(chain.samples.map((s: any) => s.id).sort()).toEqual([moved.id, opsOfA[2].id].sort());
      expect(chain.samples.every((s: any) => s.problem.includes('version gap'))).toBe(true);
      expect(checkOf(report, 'balance-version').samples[0]).toMatchObject({ id: a, expected: { version: '12' }, actual: { version: '3' } });
    } finally {
      await sql(`UPDATE operations SET version_before = version_before - 10, version_after = version_after - 10 WHERE id = $1`, [moved.id]);
    }
  });

  it('a PENDING hold left past its expiry: stale-pending, WARNING, naming the hold', async () => {
    const { ctx } = await books();
    const h = await hold(ctx, [['@a', '20']], [['@b', '20']], { expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    await sql(`UPDATE transactions SET expires_at = now() - interval '1 hour' WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, h.id]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['stale-pending:WARNING']);
      expect(report.status).toBe('WARNING');
      const stale = checkOf(report, 'stale-pending');
      expect(sampledIds(stale)).toEqual([h.id]);
      expect(stale.samples[0].overdueSeconds).toBeGreaterThanOrEqual(3600);
    } finally {
      await cancel(ctx, h.id);
    }
  });

  it('a cached balance edited in Redis: cache-drift, WARNING, naming the balance', async () => {
    const { ctx, b } = await books();
    const [pg] = await sql(`SELECT version::text FROM balances WHERE id = $1`, [b]);
    const key = cacheKeyOf({ ledgerId: ctx.ledger, alias: '@b' });
    await redis.hset(key, { version: pg.version, available: '999', onHold: '0' });
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['cache-drift:WARNING']);
      const drift = checkOf(report, 'cache-drift');
      expect(sampledIds(drift)).toEqual([b]);
      expect(drift.samples[0]).toMatchObject({ expected: { available: '15', version: '2' }, actual: { available: '999', version: '2' } });
    } finally {
      await redis.del(key);
    }
  });

  it('an alias reused after its account was deleted: no drift from the deleted balance, the ledger stays HEALTHY', async () => {
    const ctx = await newLedger(t.api);
    const old = await newAccount(ctx, '@again');
    await fund(ctx, '@again', '10');
    expect((await t.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@again', '10'))).status).toBe(201); // v2, 0
    expect((await t.api.delete(`${ctx.base}/accounts/${old.id}`)).status).toBe(204);
    await newAccount(ctx, '@again');
    await fund(ctx, '@again', '4');
    await fund(ctx, '@again', '6'); // v2 again, 10: its cache entry replaced the deleted balance's
    const report = await fullRunFor(ctx);
    expect(problems(report)).toEqual([]);
    expect(report.status).toBe('HEALTHY');
  });

  it('cached entries removed from Redis: counted as information, the ledger stays HEALTHY', async () => {
    const { ctx } = await books(); // books() leaves none of the ledger's balances cached
    const report = await fullRunFor(ctx);
    expect(problems(report)).toEqual([]);
    expect(report.status).toBe('HEALTHY');
    expect(checkOf(report, 'cache-drift').info).toEqual({ missing: 3 }); // @a, @b, @external/USD
    expect(report.ledgers).toEqual([expect.objectContaining({ ledgerId: ctx.ledger, status: 'HEALTHY', issues: 0, info: { 'cache-drift': 3 } })]);
  });

  it('an idempotency record pointing at a missing transaction: idempotency-orphans, CRITICAL, naming it', async () => {
    const { ctx } = await books();
    const missing = randomUUID();
    const key = `orphan-${randomUUID()}`;
    await sql(
      `INSERT INTO idempotency_keys (ledger_id, key, organization_id, request_hash, transaction_id, response_status, response, expires_at)
       VALUES ($1, $2, $3, 'x', $4, 201, '{}', now() + interval '1 hour')`,
      [ctx.ledger, key, ctx.org, missing],
    );
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['idempotency-orphans:CRITICAL']);
      expect(checkOf(report, 'idempotency-orphans').samples[0]).toMatchObject({ id: key, transactionId: missing });
    } finally {
      await sql(`DELETE FROM idempotency_keys WHERE ledger_id = $1 AND key = $2`, [ctx.ledger, key]);
    }
  });

  it('operations whose transaction row is gone: dangling-operations, CRITICAL, naming them', async () => {
    const { ctx, opsOfA, transfer1 } = await books();
    const [saved] = await sql(`SELECT to_jsonb(t) AS row FROM transactions t WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, transfer1]);
    const ops = await sql(`SELECT id FROM operations WHERE ledger_id = $1 AND transaction_id = $2`, [ctx.ledger, transfer1]);
    // The foreign key forbids it; a replica-role session (as when restoring a dump) bypasses it.
    await sql(`SET session_replication_role = replica; DELETE FROM transactions WHERE ledger_id = '${ctx.ledger}' AND id = '${transfer1}'`);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['dangling-operations:CRITICAL']);
      const dangling = checkOf(report, 'dangling-operations');
      expect(dangling.samples.map((s: any) => s.id).sort()).toEqual(ops.map((o) => o.id).sort());
      expect(dangling.samples.map((s: any) => s.id)).toContain(opsOfA[1].id);
      expect(dangling.samples[0]).toMatchObject({ transactionId: transfer1, actual: { transaction: 'missing', balance: 'exists' } });
    } finally {
      await sql(`INSERT INTO transactions SELECT * FROM jsonb_populate_record(NULL::transactions, $1::jsonb)`, [saved.row]);
    }
  });

  it('a settled transaction without operations: orphan-transactions, WARNING (no money moved)', async () => {
    const { ctx } = await books();
    const tx = randomUUID();
    await sql(
      `INSERT INTO transactions (ledger_id, id, organization_id, status_code, amount, asset_code, source, destination, body)
       VALUES ($1, $2, $3, 'APPROVED', 1, 'USD', ARRAY['@a'], ARRAY['@b'], '{}')`,
      [ctx.ledger, tx, ctx.org],
    );
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['orphan-transactions:WARNING']);
      expect(checkOf(report, 'orphan-transactions').samples[0]).toMatchObject({ id: tx, actual: { operations: 0 } });
    } finally {
      await sql(`DELETE FROM transactions WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, tx]);
    }
  });

  it('a hold marked CANCELED without its RELEASE: hold-completeness, CRITICAL, naming the hold', async () => {
    const { ctx } = await books();
    await newAccount(ctx, '@c');
    // Two sources, so the canceled hold keeps two operations (one would also be an orphan).
    const h = await hold(ctx, [['@a', '20'], ['@b', '5']], [['@c', '25']]);
    await sql(`UPDATE transactions SET status_code = 'CANCELED' WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, h.id]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['hold-completeness:CRITICAL']);
      const holds = checkOf(report, 'hold-completeness');
      expect(holds.samples[0]).toMatchObject({ id: h.id, expected: { released: '25' }, actual: { held: '25', released: '0' } });
    } finally {
      await sql(`UPDATE transactions SET status_code = 'PENDING' WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, h.id]);
      await cancel(ctx, h.id);
    }
  });

  it("a transaction's stored body edited to another amount: body-legs, CRITICAL, naming the transaction", async () => {
    const { ctx, transfer1 } = await books();
    await sql(`UPDATE transactions SET body = jsonb_set(body, '{sources,0,amount}', '"500"') WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, transfer1]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['body-legs:CRITICAL']);
      expect(report.status).toBe('CRITICAL');
      const legs = checkOf(report, 'body-legs');
      expect(sampledIds(legs)).toEqual([transfer1]);
      expect(legs.samples[0]).toMatchObject({ expected: { sources: ['@a|default|10'] }, actual: { sources: ['@a|default|500'] } });
    } finally {
      await sql(`UPDATE transactions SET body = jsonb_set(body, '{sources,0,amount}', '"10"') WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, transfer1]);
    }
  });

  it('money on a soft-deleted balance: deleted-balance, CRITICAL, naming the balance', async () => {
    const { ctx, b } = await books();
    await sql(`UPDATE balances SET deleted_at = now() WHERE id = $1`, [b]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['deleted-balance:CRITICAL']);
      const deleted = checkOf(report, 'deleted-balance');
      expect(sampledIds(deleted)).toEqual([b]);
      expect(deleted.samples[0]).toMatchObject({ alias: '@b', expected: { available: '0', onHold: '0' }, actual: { available: '15', onHold: '0' } });
    } finally {
      await sql(`UPDATE balances SET deleted_at = NULL WHERE id = $1`, [b]);
    }
  });

  it("an operation naming another account than its balance's: operation-account, CRITICAL, naming the operation", async () => {
    const { ctx, a, opsOfA } = await books();
    const moved = opsOfA[1];
    const [other] = await sql(`SELECT account_id, alias FROM balances WHERE ledger_id = $1 AND alias = '@b'`, [ctx.ledger]);
    const [saved] = await sql(`SELECT account_id, account_alias FROM operations WHERE id = $1`, [moved.id]);
    await sql(`UPDATE operations SET account_id = $2, account_alias = $3 WHERE id = $1`, [moved.id, other.account_id, other.alias]);
    try {
      const report = await fullRunFor(ctx);
      // The stored body still names @a: the operation no longer does.
      expect(problems(report)).toEqual(['body-legs:CRITICAL', 'operation-account:CRITICAL']);
      const account = checkOf(report, 'operation-account');
      expect(account.samples.map((s: any) => s.id)).toEqual([moved.id]);
      expect(account.samples[0]).toMatchObject({ balanceId: a, expected: { accountId: saved.account_id, alias: '@a' }, actual: { alias: '@b' } });
    } finally {
      await sql(`UPDATE operations SET account_id = $2, account_alias = $3 WHERE id = $1`, [moved.id, saved.account_id, saved.account_alias]);
    }
  });

  it("a PENDING hold whose destination list differs from its stored legs: pending-lists, WARNING, naming the hold", async () => {
    const { ctx } = await books();
    const h = await hold(ctx, [['@a', '20']], [['@b', '20']]);
    await sql(`UPDATE transactions SET destination = ARRAY['@a'] WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, h.id]);
    try {
      const report = await fullRunFor(ctx);
      expect(problems(report)).toEqual(['pending-lists:WARNING']);
      expect(report.status).toBe('WARNING');
      const lists = checkOf(report, 'pending-lists');
      expect(sampledIds(lists)).toEqual([h.id]);
      expect(lists.samples[0]).toMatchObject({ expected: { destination: ['@b'] }, actual: { destination: ['@a'] } });
    } finally {
      await sql(`UPDATE transactions SET destination = ARRAY['@b'] WHERE ledger_id = $1 AND id = $2`, [ctx.ledger, h.id]);
      await cancel(ctx, h.id);
    }
  });
});
