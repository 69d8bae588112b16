import Redis from 'ioredis';
import { RedisLock } from '../src/infrastructure/redis/redis-lock';
import { PENDING_EXPIRY_LOCK } from '../src/modules/transaction/jobs/pending-expiry.constants';
import { PendingExpiryService } from '../src/modules/transaction/jobs/pending-expiry.service';
import { TransactionService } from '../src/modules/transaction/transaction.service';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { cancel, commit, eventually, getTransaction, hold, opsOf, snap, snapshotOf } from './support/holds';
import { fundedPair, sleep } from './support/postings';
import { TEST_REDIS_URL } from './support/test-env';

/**
 * The pending-expiry job (DESIGN section 4 "cancel / expiry", G7, G8 scheduled jobs) against
 * the real app, Postgres and Redis: Bull repeatable trigger, Redis lock, cancel through the engine.
 */
jest.setTimeout(60_000);

const LOCK_KEY = `ledger:lock:${PENDING_EXPIRY_LOCK}`;
const inMs = (ms: number) => new Date(Date.now() + ms).toISOString();

describe('before the job has run (interval of a day)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ PENDING_EXPIRY_INTERVAL_MS: '86400000' });
  });
  afterAll(() => t.close());

  it('a commit after expiresAt is refused with 409 1015 and the hold stays PENDING with its funds held', async () => {
    const ctx = await fundedPair(t.api);
    const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(800) });
    await sleep(1000);

    expectError(await commit(ctx, tx.id), 409, '1015');
    const stored = await getTransaction(ctx, tx.id);
    expect(stored.status.code).toBe('PENDING');
    expect(stored.operations).toHaveLength(1);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('70', '30', 2));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('0', '0', 0));
  });

  it('a cancel after expiresAt still releases the hold', async () => {
    const ctx = await fundedPair(t.api);
    const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(300) });
    await sleep(500);

    const res = await cancel(ctx, tx.id);
    expect(res.status).toBe(200);
    expect(res.body.status.code).toBe('CANCELED');
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 3));
  });
});

describe('the job, every 500 ms', () => {
  let t: TestApp;
  let redis: Redis;
  beforeAll(async () => {
    t = await startApp({ PENDING_EXPIRY_INTERVAL_MS: '500' });
    redis = new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  afterAll(async () => {
    await redis.quit();
    await t.close();
  });

  it('cancels a hold once its expiresAt passed: CANCELED, RELEASE, cancelReason expired, funds available again', async () => {
    const ctx = await fundedPair(t.api);
    const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(1500), metadata: { order: 'o-7' } });
    expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');

    const stored = await eventually(() => getTransaction(ctx, tx.id), (x) => x.status.code !== 'PENDING', 10_000);
    expect(stored.status.code).toBe('CANCELED');
    expect(stored.metadata).toEqual({ order: 'o-7', cancelReason: 'expired' });
    expect(opsOf(stored)).toEqual([
      ['ON_HOLD', '@a', '30', snap('100', '0', 1), snap('70', '30', 2)],
      ['RELEASE', '@a', '30', snap('70', '30', 2), snap('100', '0', 3)],
    ]);
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('100', '0', 3));
    expect(await snapshotOf(ctx, '@b')).toEqual(snap('0', '0', 0));
    // Released funds can be spent again.
    expect((await hold(ctx, [['@a', '100']], [['@b', '100']])).status.code).toBe('PENDING');
  });

  it('leaves a hold alone until its expiresAt', async () => {
    const ctx = await fundedPair(t.api);
    const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(60_000) });
    await sleep(1600); // three runs at least

    expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('70', '30', 2));
    expect((await cancel(ctx, tx.id)).status).toBe(200);
  });

  it('skips its runs while another instance holds the lock, and expires the hold once the lock is gone', async () => {
    const ctx = await fundedPair(t.api);
    await redis.set(LOCK_KEY, 'another-instance', 'PX', 10_000);
    try {
      const tx = await hold(ctx, [['@a', '30']], [['@b', '30']], { expiresAt: inMs(300) });
      await sleep(2000); // several runs, all skipped
      expect((await getTransaction(ctx, tx.id)).status.code).toBe('PENDING');
      expect(await redis.get(LOCK_KEY)).toBe('another-instance'); // not released by a run that did not own it

      await redis.del(LOCK_KEY);
      const stored = await eventually(() => getTransaction(ctx, tx.id), (x) => x.status.code !== 'PENDING', 10_000);
      expect(stored.status.code).toBe('CANCELED');
      expect(stored.metadata.cancelReason).toBe('expired');
    } finally {
      await redis.del(LOCK_KEY);
    }
  });

  it('app.close() finishes promptly while the job is running every 500 ms', async () => {
    const other = await startApp({ PENDING_EXPIRY_INTERVAL_MS: '500' });
    await sleep(1200);
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

describe('expireDueHolds with PENDING_EXPIRY_BATCH=2', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ PENDING_EXPIRY_BATCH: '2' });
  });
  afterAll(() => t.close());

  it('expires every due hold in rounds of the batch size, and only the due ones', async () => {
    const ctx = await fundedPair(t.api);
    const base = Date.now() + 3_600_000;
    const due = [];
    for (let i = 0; i < 5; i++) due.push(await hold(ctx, [['@a', '10']], [['@b', '10']], { expiresAt: new Date(base + i * 1000).toISOString() }));
    const later = await hold(ctx, [['@a', '10']], [['@b', '10']], { expiresAt: new Date(base + 60_000).toISOString() });

    const report = await t.app.get(PendingExpiryService).expireDueHolds({ aheadMs: base + 10_000 - Date.now() });
    expect(report.expired).toBeGreaterThanOrEqual(5);
    expect(report).toMatchObject({ found: report.expired, failed: 0 });
    for (const tx of due) expect((await getTransaction(ctx, tx.id)).status.code).toBe('CANCELED');
    expect((await getTransaction(ctx, later.id)).status.code).toBe('PENDING');
    expect(await snapshotOf(ctx, '@a')).toEqual(snap('90', '10', 12));
    expect((await cancel(ctx, later.id)).status).toBe(200);
  });

  it('passes holds whose cancel fails: the ones behind them still expire, the failures are reported', async () => {
    const ctx = await fundedPair(t.api);
    const base = Date.now() + 2 * 3_600_000;
    const holds = [];
    for (let i = 0; i < 5; i++) holds.push(await hold(ctx, [['@a', '10']], [['@b', '10']], { expiresAt: new Date(base + i * 1000).toISOString() }));
    // The two oldest fill the first round and cannot be canceled (an injected failure).
    const failing = new Set([holds[0].id, holds[1].id]);
    const service = t.app.get(TransactionService);
    const realExpire = service.expire.bind(service);
    const spy = jest.spyOn(service, 'expire').mockImplementation((org, ledger, id) =>
      failing.has(id) ? Promise.reject(new Error('injected cancel failure')) : realExpire(org, ledger, id),
    );
    try {
      const report = await t.app.get(PendingExpiryService).expireDueHolds({ aheadMs: base + 10_000 - Date.now() });
      expect(report.failed).toBeGreaterThanOrEqual(2);
    } finally {
      spy.mockRestore();
    }
    expect(await Promise.all(holds.map(async (h) => (await getTransaction(ctx, h.id)).status.code))).toEqual([
      'PENDING', 'PENDING', 'CANCELED', 'CANCELED', 'CANCELED',
    ]);
    for (const h of holds.slice(0, 2)) expect((await cancel(ctx, h.id)).status).toBe(200);
  });
});

describe('RedisLock', () => {
  it('lets one of two concurrent runs in and skips the other as held', async () => {
    const clients = [new Redis(TEST_REDIS_URL), new Redis(TEST_REDIS_URL)];
    try {
      const [x, y] = clients.map((c) => new RedisLock(c));
      let running = 0;
      let maxRunning = 0;
      const work = async () => {
        maxRunning = Math.max(maxRunning, ++running);
        await sleep(200);
        running--;
        return 'done';
      };
      const runs = await Promise.all([x.runExclusive('test-lock', 5000, work), y.runExclusive('test-lock', 5000, work)]);
      expect(runs.filter((r) => r.ran)).toEqual([{ ran: true, result: 'done' }]);
      expect(runs.filter((r) => !r.ran)).toEqual([{ ran: false, reason: 'held' }]);
      expect(maxRunning).toBe(1);
      expect(await clients[0].exists('ledger:lock:test-lock')).toBe(0); // released after the run
    } finally {
      await Promise.all(clients.map((c) => c.quit()));
    }
  });

  it('skips the run, without running it unlocked, when Redis is unavailable', async () => {
    const down = new Redis('redis://127.0.0.1:1', { enableOfflineQueue: false, maxRetriesPerRequest: 0, retryStrategy: () => null });
    down.on('error', () => undefined);
    try {
      let ran = false;
      const run = await new RedisLock(down).runExclusive('test-lock', 5000, async () => {
        ran = true;
      });
      expect(run).toEqual({ ran: false, reason: 'redis-unavailable' });
      expect(ran).toBe(false);
    } finally {
      down.disconnect();
    }
  });
});
