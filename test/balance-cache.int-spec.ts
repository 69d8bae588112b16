import { randomUUID } from 'crypto';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import Redis from 'ioredis';
import { Balance } from '../src/modules/balance/balance.types';
import { BalanceCache } from '../src/modules/balance/cache/balance-cache';
import { BALANCE_CACHE_SYNC_QUEUE, SYNC_BALANCE_CACHE_JOB } from '../src/modules/balance/cache/balance-cache-sync.constants';
import { CacheSyncOutcome } from '../src/modules/balance/cache/balance-cache-sync.processor';
import { BalanceCacheSync } from '../src/modules/balance/cache/balance-cache-sync.service';
import { STORE_SCRIPT } from '../src/modules/balance/cache/balance-cache.scripts';
import { startApp, TestApp } from './support/app';
import { cachedEntry, cacheKeyOf, metricValue, pgBalances, shown, TrueBalance, truth } from './support/balance-cache';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { fromCents, fund, prng, runPool, sleep, transferBody } from './support/postings';
import { TEST_REDIS_URL } from './support/test-env';

jest.setTimeout(120_000);

const SYNC_EVERY_MS = 86_400_000; // the tests trigger runs themselves

let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  t = await startApp({ BALANCE_CACHE_SYNC_INTERVAL_MS: String(SYNC_EVERY_MS) });
  redis = new Redis(TEST_REDIS_URL);
});
afterAll(async () => {
  await t.close();
  redis.disconnect();
});

const cache = () => t.app.get(BalanceCache);
const sync = () => t.app.get(BalanceCacheSync);

async function ledgerWithAccounts(n: number, each: string): Promise<{ ctx: LedgerCtx; aliases: string[] }> {
  const ctx = await newLedger(t.api);
  const aliases = Array.from({ length: n }, (_, i) => `@acc${i}`);
  for (const a of aliases) {
    await newAccount(ctx, a);
    await fund(ctx, a, each);
  }
  return { ctx, aliases };
}

/** Random transfers among the aliases, `inFlight` at a time; answers the HTTP statuses. */
async function randomLoad(ctx: LedgerCtx, aliases: string[], n: number, seed: number, inFlight: number, midway?: () => Promise<void>) {
  const rnd = prng(seed);
  const tasks = Array.from({ length: n }, (_, i) => async () => {
    if (midway && i === Math.floor(n / 2)) await midway();
    const from = Math.floor(rnd() * aliases.length);
    const to = (from + 1 + Math.floor(rnd() * (aliases.length - 1))) % aliases.length;
    const value = fromCents(BigInt(1 + Math.floor(rnd() * 500)));
    return (await t.api.post(`${ctx.base}/transactions/json`, transferBody(aliases[from], aliases[to], value))).status;
  });
  return runPool(tasks, inFlight);
}

/** Every read route shows each balance of the ledger exactly as Postgres has it. */
async function expectReadsEqualPostgres(ctx: LedgerCtx): Promise<number> {
  const pg = await pgBalances(ctx.ledger);
  const list = await t.api.get(`${ctx.base}/balances?limit=100`);
  expect(list.status).toBe(200);
  expect(list.body.items).toHaveLength(pg.size);
  for (const item of list.body.items) expect(shown(item)).toEqual(truth(pg.get(item.alias)!));
  for (const b of pg.values()) {
    const byId = await t.api.get(`${ctx.base}/balances/${b.id}`);
    expect(shown(byId.body)).toEqual(truth(b));
    const path = b.alias.startsWith('@external/')
      ? `accounts/external/${b.alias.slice('@external/'.length)}/balances`
      : `accounts/alias/${encodeURIComponent(b.alias)}/balances`;
    const byAlias = await t.api.get(`${ctx.base}/${path}`);
    expect(byAlias.body.items.map(shown)).toEqual([truth(b)]);
    const byAccount = await t.api.get(`${ctx.base}/accounts/${byId.body.accountId}/balances`);
    expect(byAccount.body.items.map(shown)).toEqual([truth(b)]);
  }
  return pg.size;
}

/** Every entry present in the cache for this ledger equals Postgres. */
async function expectCachedEqualPostgres(ctx: LedgerCtx, { allPresent }: { allPresent: boolean }): Promise<void> {
  for (const b of (await pgBalances(ctx.ledger)).values()) {
    const c = await cachedEntry(redis, b);
    if (!c && !allPresent) continue;
    expect(c && { id: c.id, available: c.available, onHold: c.onHold, version: c.version }).toEqual(truth(b));
  }
}

function syntheticBalance(ledgerId: string, version: bigint, available: bigint): Balance {
  const at = new Date('2025-01-01T00:00:00.000Z');
  return {
    id: '0190f000-0000-7000-8000-000000000001',
    organizationId: randomUUID(),
    ledgerId,
    accountId: randomUUID(),
    alias: '@ordering',
    key: 'default',
    assetCode: 'USD',
    available,
    onHold: 0n,
    version,
    accountType: 'deposit',
    allowSending: true,
    allowReceiving: true,
    createdAt: at,
    updatedAt: new Date(at.getTime() + Number(version)),
    deletedAt: null,
  };
}

describe('balance cache (real Redis and Postgres)', () => {
  it('keeps the newest version whatever order storeCommitted calls arrive in', async () => {
    const ledgerId = randomUUID();
    const states = [5n, 9n, 2n, 7n, 9n, 1n].map((v) => syntheticBalance(ledgerId, v, v * 10n ** 18n));
    const rejectedBefore = await metricValue(t.api, 'ledger_balance_cache_version_rejections_total');
    await cache().storeCommitted([states[0]]);
    await cache().storeCommitted([states[1]]);
    await cache().storeCommitted([states[2]]);
    await Promise.all(states.slice(3).map((s) => cache().storeCommitted([s])));

    const entry = await cachedEntry(redis, states[0]);
    expect(entry).toMatchObject({ version: '9', available: 9n * 10n ** 18n, updatedAt: states[1].updatedAt.toISOString() });
    // 2, 7, the second 9 and 1 were refused by the version guard.
    expect((await metricValue(t.api, 'ledger_balance_cache_version_rejections_total')) - rejectedBefore).toBe(4);
  });

  it('writes every entry with the configured TTL, refreshed by a newer write', async () => {
    const ledgerId = randomUUID();
    await cache().storeCommitted([syntheticBalance(ledgerId, 1n, 1n)]);
    const key = cacheKeyOf({ ledgerId, alias: '@ordering' });
    await redis.expire(key, 10);
    expect(await redis.ttl(key)).toBeLessThanOrEqual(10);
    await cache().storeCommitted([syntheticBalance(ledgerId, 2n, 2n)]);
    const ttl = await redis.ttl(key);
    expect(ttl).toBeGreaterThan(3500);
    expect(ttl).toBeLessThanOrEqual(3600);
  });

  it('leaves the cache at the Postgres version after concurrent postings on one balance', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(6, '1000');
    const hot = '@hot';
    await newAccount(ctx, hot);
    const statuses = await runPool(
      Array.from({ length: 150 }, (_, i) => () =>
        t.api.post(`${ctx.base}/transactions/json`, transferBody(aliases[i % aliases.length], hot, '1.5')).then((r) => r.status),
      ),
      24,
    );
    expect(statuses.every((s) => s === 201)).toBe(true);

    const pg = (await pgBalances(ctx.ledger)).get(hot)!;
    expect(pg.version).toBe('150');
    const entry = await cachedEntry(redis, pg);
    expect(entry && { id: entry.id, version: entry.version, available: entry.available }).toEqual({
      id: pg.id,
      version: '150',
      available: pg.available,
    });
    await expectCachedEqualPostgres(ctx, { allPresent: true });
  });

  it('shows, right after a 2xx posting, at least that posting\'s version (read-your-writes)', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(2, '100');
    const [a, b] = aliases;
    const hitsBefore = await metricValue(t.api, 'ledger_balance_cache_hits_total');
    for (let i = 0; i < 10; i++) {
      const posted = await t.api.post(`${ctx.base}/transactions/json`, transferBody(a, b, '1'));
      expect(posted.status).toBe(201);
      const after = posted.body.operations.find((o: any) => o.accountAlias === b).balanceAfter.version;
      const read = await t.api.get(`${ctx.base}/accounts/alias/${encodeURIComponent(b)}/balances`);
      expect(read.body.items[0].version).toBeGreaterThanOrEqual(after);
      expect(read.body.items[0].available).toBe(String(101 + i));
    }
    expect((await metricValue(t.api, 'ledger_balance_cache_hits_total')) - hitsBefore).toBeGreaterThanOrEqual(10);
  });

  it('answers every read like Postgres after a FLUSHALL in the middle of a load of postings', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(8, '500');
    let flushed = 0;
    const statuses = await randomLoad(ctx, aliases, 240, 7, 16, async () => {
      await redis.flushall();
      flushed++;
    });
    await redis.flushall(); // and once more right at the end, before any read
    expect(flushed).toBe(1);
    expect(statuses.every((s) => s === 201 || s === 422)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThan(200);

    const missesBefore = await metricValue(t.api, 'ledger_balance_cache_misses_total');
    const count = await expectReadsEqualPostgres(ctx); // first reads: misses, populating
    expect((await metricValue(t.api, 'ledger_balance_cache_misses_total')) - missesBefore).toBeGreaterThanOrEqual(count);
    await expectCachedEqualPostgres(ctx, { allPresent: true });
    const hitsBefore = await metricValue(t.api, 'ledger_balance_cache_hits_total');
    await expectReadsEqualPostgres(ctx); // second reads: hits, same answers
    expect((await metricValue(t.api, 'ledger_balance_cache_hits_total')) - hitsBefore).toBeGreaterThanOrEqual(count);
  });

  it('warms the entries of recently changed balances when a sync runs after a flush', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(4, '50');
    await randomLoad(ctx, aliases, 20, 3, 4);
    await redis.flushall();
    const report = await sync().syncOnce();
    const pg = await pgBalances(ctx.ledger);
    expect(report.warmed).toBeGreaterThanOrEqual(pg.size);
    await expectCachedEqualPostgres(ctx, { allPresent: true });
    // A second run finds this ledger in order. (Its counters cover every recently changed
    // balance of the shared test database, so they are not asserted here.)
    await sync().syncOnce();
    await expectCachedEqualPostgres(ctx, { allPresent: true });
  });

  it('checks hot balances outside the recent window too', async () => {
    const narrow = await startApp({ BALANCE_CACHE_SYNC_WINDOW_MS: '1000', BALANCE_CACHE_SYNC_INTERVAL_MS: String(SYNC_EVERY_MS) });
    try {
      const ctx = await newLedger(narrow.api);
      await newAccount(ctx, '@cold');
      await fund(ctx, '@cold', '5');
      await sleep(1500); // now outside the window
      const b = (await pgBalances(ctx.ledger)).get('@cold')!;
      const read = () => narrow.api.get(`${ctx.base}/balances/${b.id}`);
      for (let i = 0; i < 3; i++) expect((await read()).status).toBe(200); // reads make it hot
      await redis.hset(cacheKeyOf(b), 'available', '12345');
      const report = await narrow.app.get(BalanceCacheSync).syncOnce();
      expect(report.repaired).toBe(1);
      expect(await cachedEntry(redis, b)).toMatchObject({ available: b.available, version: b.version });
    } finally {
      await narrow.close();
    }
  });

  it('repairs cached entries corrupted by hand on the next sync run (service method)', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(4, '80');
    await randomLoad(ctx, aliases, 30, 11, 4);
    const pg = await pgBalances(ctx.ledger);
    const [sameVersion, ahead, behind, gone] = aliases.map((a) => pg.get(a)!);
    await redis.hset(cacheKeyOf(sameVersion), 'available', '999999', 'allowSending', 'false');
    await redis.hset(cacheKeyOf(ahead), 'version', String(BigInt(ahead.version) + 1000n), 'available', '1');
    await redis.hset(cacheKeyOf(behind), 'version', '0', 'available', '0');
    await redis.del(cacheKeyOf(gone));
    const repairsBefore = await metricValue(t.api, 'ledger_balance_cache_repairs_total');

    const report = await sync().syncOnce();

    expect(report.repaired).toBeGreaterThanOrEqual(3);
    expect(report.warmed).toBeGreaterThanOrEqual(1);
    expect((await metricValue(t.api, 'ledger_balance_cache_repairs_total')) - repairsBefore).toBe(report.repaired);
    await expectCachedEqualPostgres(ctx, { allPresent: true });
    expect((await cachedEntry(redis, sameVersion))!.allowSending).toBe('true');
    await expectReadsEqualPostgres(ctx);
  });

  it('repairs a corrupted entry through the cache-sync job, one run at a time under its lock', async () => {
    const queue = t.app.get<Queue>(getQueueToken(BALANCE_CACHE_SYNC_QUEUE));
    const repeat = await queue.getRepeatableJobs();
    expect(repeat.filter((r) => r.name === SYNC_BALANCE_CACHE_JOB).map((r) => Number(r.every))).toEqual([SYNC_EVERY_MS]);

    const { ctx, aliases } = await ledgerWithAccounts(2, '30');
    const b = (await pgBalances(ctx.ledger)).get(aliases[0])!;
    await redis.hset(cacheKeyOf(b), 'available', '424242');

    await redis.set('ledger:lock:balance-cache-sync', 'someone-else', 'PX', 30_000);
    const blocked = (await (await queue.add(SYNC_BALANCE_CACHE_JOB, {})).finished()) as CacheSyncOutcome;
    expect(blocked).toEqual({ ran: false, reason: 'held' });
    expect((await cachedEntry(redis, b))!.available).toBe(424242n * 10n ** 18n);

    await redis.del('ledger:lock:balance-cache-sync');
    const outcome = (await (await queue.add(SYNC_BALANCE_CACHE_JOB, {})).finished()) as CacheSyncOutcome;
    expect(outcome).toMatchObject({ ran: true });
    expect(outcome.ran && outcome.repaired).toBeGreaterThanOrEqual(1);
    expect((await cachedEntry(redis, b))!.available).toBe(b.available);
    expect(await redis.exists('ledger:lock:balance-cache-sync')).toBe(0);
  });

  it('reloads its Lua scripts after SCRIPT FLUSH (NOSCRIPT) without losing a write or a read', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(2, '10');
    const errorsBefore = await metricValue(t.api, 'ledger_redis_errors_total');
    await redis.script('FLUSH');
    expect(await redis.script('EXISTS', STORE_SCRIPT.sha)).toEqual([0]);

    const posted = await t.api.post(`${ctx.base}/transactions/json`, transferBody(aliases[0], aliases[1], '2.5'));
    expect(posted.status).toBe(201);
    const pg = (await pgBalances(ctx.ledger)).get(aliases[1])!;
    expect(await cachedEntry(redis, pg)).toMatchObject({ version: pg.version, available: pg.available });
    expect(await redis.script('EXISTS', STORE_SCRIPT.sha)).toEqual([1]);

    await redis.script('FLUSH');
    const hitsBefore = await metricValue(t.api, 'ledger_balance_cache_hits_total');
    const read = await t.api.get(`${ctx.base}/balances/${pg.id}`);
    expect(shown(read.body)).toEqual(truth(pg));
    expect((await metricValue(t.api, 'ledger_balance_cache_hits_total')) - hitsBefore).toBe(1);
    expect(await metricValue(t.api, 'ledger_redis_errors_total')).toBe(errorsBefore);
  });

  it('caches new flags of a balance without moving its version', async () => {
    const { ctx, aliases } = await ledgerWithAccounts(1, '10');
    const b = (await pgBalances(ctx.ledger)).get(aliases[0])!;
    const patched = await t.api.patch(`${ctx.base}/balances/${b.id}`, { allowSending: false });
    expect(patched.status).toBe(200);
    expect(await cachedEntry(redis, b)).toMatchObject({ allowSending: 'false', version: b.version });
    const read = await t.api.get(`${ctx.base}/balances/${b.id}`);
    expect(read.body).toMatchObject({ allowSending: false, version: Number(b.version) });
  });
});

describe('the cache never looks newer than it is', () => {
  /** A ledger with @n funded twice (version 2 in Postgres), its entry cached. */
  async function fundedTwice(): Promise<{ ctx: LedgerCtx; b: TrueBalance }> {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@n');
    await fund(ctx, '@n', '5');
    await fund(ctx, '@n', '5');
    const b = (await pgBalances(ctx.ledger)).get('@n')!;
    expect(b.version).toBe('2');
    return { ctx, b };
  }

  it('a cached version with leading zeros ("003") is a miss: the read answers Postgres and repairs the entry', async () => {
    const { ctx, b } = await fundedTwice();
    expect((await t.api.get(`${ctx.base}/balances/${b.id}`)).status).toBe(200); // cached at "2"
    await redis.hset(cacheKeyOf(b), { version: '003', available: '999' });
    const read = await t.api.get(`${ctx.base}/balances/${b.id}`);
    expect(shown(read.body)).toEqual(truth(b));
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '2', available: b.available });
  });

  it('a cached version with leading zeros is repaired by the sync, not taken as newer', async () => {
    const { b } = await fundedTwice();
    await redis.hset(cacheKeyOf(b), { version: '003', available: '999' });
    const report = await sync().syncOnce();
    expect(report.repaired).toBeGreaterThanOrEqual(1);
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '2', available: b.available });
  });

  it('a posting over an entry at "003" is written (a version of leading zeros guards nothing)', async () => {
    const { ctx, b } = await fundedTwice();
    await redis.hset(cacheKeyOf(b), { id: b.id, version: '003', available: '999' });
    await fund(ctx, '@n', '1'); // v3
    const now = (await pgBalances(ctx.ledger)).get('@n')!;
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '3', available: now.available });
  });

  it('a key of the wrong Redis type is deleted and counted by the sync; the other entries are still synced', async () => {
    const { ctx, b } = await fundedTwice();
    await newAccount(ctx, '@m');
    await fund(ctx, '@m', '7');
    const m = (await pgBalances(ctx.ledger)).get('@m')!;
    await redis.del(cacheKeyOf(m));
    await redis.set(cacheKeyOf(b), 'not a hash');
    const report = await sync().syncOnce();
    expect(report.removed).toBeGreaterThanOrEqual(1);
    expect(await cachedEntry(redis, m)).toMatchObject({ version: m.version, available: m.available });
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '2', available: b.available });
  });

  it('a key of the wrong Redis type does not stop cache writes or reads', async () => {
    const { ctx, b } = await fundedTwice();
    await redis.set(cacheKeyOf(b), 'not a hash');
    await fund(ctx, '@n', '1'); // v3: the posting's cache write replaces the key
    const now = (await pgBalances(ctx.ledger)).get('@n')!;
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '3', available: now.available });
    await redis.del(cacheKeyOf(b));
    await redis.lpush(cacheKeyOf(b), 'x'); // a read's cache write replaces it too
    const read = await t.api.get(`${ctx.base}/balances/${b.id}`);
    expect(read.status).toBe(200);
    expect(await cachedEntry(redis, b)).toMatchObject({ version: '3' });
  });
});
