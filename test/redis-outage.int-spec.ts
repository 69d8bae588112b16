import { ChildProcess } from 'child_process';
import Redis from 'ioredis';
import { startApp, TestApp } from './support/app';
import { cachedEntry, metricValue, pgBalances, shown, truth } from './support/balance-cache';
import { freePort, killProcess, startRedisServer } from './support/servers';
import { eventually } from './support/holds';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { fund, outflowBody, runPool, sleep, transferBody } from './support/postings';
import { hold } from './support/holds';
import { setFlagsFromString } from 'v8';
import { runInNewContext } from 'vm';

jest.setTimeout(120_000);

/**
 * Redis is never the truth (G8): each test runs its own redis-server, points an app at it and
 * takes that Redis away. The shared test Redis is not touched.
 */
describe('Redis outage', () => {
  let port: number;
  let redisProc: ChildProcess | undefined;
  let t: TestApp | undefined;

  beforeEach(async () => {
    port = await freePort();
    redisProc = await startRedisServer(port);
    t = await startApp({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200' });
  });
  afterEach(async () => {
    await t?.close();
    if (redisProc) await killProcess(redisProc);
  });

  const postTransfer = (ctx: LedgerCtx, from: string, to: string, value: string) =>
    t!.api.post(`${ctx.base}/transactions/json`, transferBody(from, to, value));

  async function expectReadsEqualPostgres(ctx: LedgerCtx, aliases: string[]): Promise<void> {
    const pg = await pgBalances(ctx.ledger);
    for (const a of aliases) {
      const b = pg.get(a)!;
      const byAlias = await t!.api.get(`${ctx.base}/accounts/alias/${encodeURIComponent(a)}/balances`);
      expect(byAlias.status).toBe(200);
      expect(byAlias.body.items.map(shown)).toEqual([truth(b)]);
      const byId = await t!.api.get(`${ctx.base}/balances/${b.id}`);
      expect(shown(byId.body)).toEqual(truth(b));
    }
  }

  it('keeps postings and reads correct while Redis is killed, reports it degraded, and refills the cache when it is back', async () => {
    const api = t!.api;
    const ctx = await newLedger(api);
    const aliases = ['@a', '@b', '@c', '@d'];
    for (const a of aliases) {
      await newAccount(ctx, a);
      await fund(ctx, a, '1000');
    }
    expect((await api.get('/health/ready')).body.info.redis).toEqual({ status: 'up' });

    // A load of postings, with Redis killed a third of the way in.
    const statuses = await runPool(
      Array.from({ length: 150 }, (_, i) => async () => {
        if (i === 50) await killProcess(redisProc!);
        return (await postTransfer(ctx, aliases[i % 4], aliases[(i + 1) % 4], '1.25')).status;
      }),
      8,
    );
    expect(statuses.filter((s) => s !== 201)).toEqual([]);

    // Redis is gone: more postings succeed, quickly, and reads match Postgres.
    const started = Date.now();
    for (let i = 0; i < 10; i++) expect((await postTransfer(ctx, '@a', '@b', '0.5')).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(5000);
    await expectReadsEqualPostgres(ctx, aliases);
    const ready = await api.get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body.info.postgres).toEqual({ status: 'up' });
    expect(ready.body.info.redis).toMatchObject({ status: 'up', degraded: true });
    expect(await metricValue(api, 'ledger_redis_errors_total')).toBeGreaterThan(0);

    // Redis back (empty, on the same port): the client reconnects and the cache fills again.
    redisProc = await startRedisServer(port);
    const back = await eventually(
      () => api.get('/health/ready'),
      (r) => r.body?.info?.redis?.degraded === undefined,
      15_000,
    );
    expect(back.body.info.redis).toEqual({ status: 'up' });
    await sleep(1100); // the cache's back-off after a timeout, if one happened

    const posted = await postTransfer(ctx, '@c', '@d', '3');
    expect(posted.status).toBe(201);
    const probe = new Redis({ port, host: '127.0.0.1' });
    try {
      const d = (await pgBalances(ctx.ledger)).get('@d')!;
      expect(await cachedEntry(probe, d)).toMatchObject({ id: d.id, version: d.version, available: d.available });
      const hitsBefore = await metricValue(api, 'ledger_balance_cache_hits_total');
      await expectReadsEqualPostgres(ctx, ['@d']);
      expect(await metricValue(api, 'ledger_balance_cache_hits_total')).toBeGreaterThan(hitsBefore);
    } finally {
      probe.disconnect();
    }
  });

  it('answers postings within the command timeout while Redis hangs (SIGSTOP), reads staying correct', async () => {
    const ctx = await newLedger(t!.api);
    for (const a of ['@p', '@q']) {
      await newAccount(ctx, a);
      await fund(ctx, a, '100');
    }
    redisProc!.kill('SIGSTOP');
    try {
      for (let i = 0; i < 8; i++) {
        const started = Date.now();
        expect((await postTransfer(ctx, '@p', '@q', '1')).status).toBe(201);
        expect(Date.now() - started).toBeLessThan(2000); // REDIS_COMMAND_TIMEOUT_MS is 200 here
      }
      await expectReadsEqualPostgres(ctx, ['@p', '@q']);
      expect((await pgBalances(ctx.ledger)).get('@q')!.available).toBe(108n * 10n ** 18n);
      expect((await t!.api.get('/health/ready')).body.info.redis).toMatchObject({ degraded: true });
    } finally {
      redisProc!.kill('SIGCONT');
    }
  });

  it('keeps answering postings while Redis is down and closes promptly without it', async () => {
    const ctx = await newLedger(t!.api);
    await newAccount(ctx, '@x');
    await fund(ctx, '@x', '10');
    await killProcess(redisProc!);
    redisProc = undefined;
    await sleep(500); // let Bull's clients notice and start reconnecting

    expect((await t!.api.post(`${ctx.base}/transactions/outflow`, outflowBody('@x', '1'))).status).toBe(201);
    expect((await pgBalances(ctx.ledger)).get('@x')!.available).toBe(9n * 10n ** 18n);

    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const closing = t!.close().then(() => 'closed');
    const outcome = await Promise.race([closing, new Promise((r) => (timer = setTimeout(() => r('still closing'), 15_000)))]);
    clearTimeout(timer);
    t = undefined;
    expect(outcome).toBe('closed');
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
describe('Redis down for a long stretch under load', () => {
  let port: number;
  let redisProc: ChildProcess | undefined;
  let t: TestApp | undefined;

  beforeAll(async () => {
    port = await freePort();
    redisProc = await startRedisServer(port);
    t = await startApp({ REDIS_URL: `redis://127.0.0.1:${port}`, REDIS_COMMAND_TIMEOUT_MS: '200', PENDING_EXPIRY_INTERVAL_MS: '1000' });
  });
  afterAll(async () => {
    await t?.close();
    if (redisProc) await killProcess(redisProc);
  });

  it('posts without growing memory per request, and its schedules come back when Redis returns empty', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const heapAfterGc = async () => {
      for (let i = 0; i < 3; i++) {
        gc();
        await sleep(20);
      }
      return process.memoryUsage().heapUsed;
    };
    const ctx = await newLedger(t!.api);
    for (const a of ['@m1', '@m2']) {
      await newAccount(ctx, a);
      await fund(ctx, a, '100000');
    }
    await killProcess(redisProc!);
    redisProc = undefined;
    const post = (i: number) => async () => (await t!.api.post(`${ctx.base}/transactions/json`, transferBody(i % 2 ? '@m1' : '@m2', i % 2 ? '@m2' : '@m1', '1'))).status;
    const warmup = await runPool(Array.from({ length: 300 }, (_, i) => post(i)), 16);
    const before = await heapAfterGc();
    const load = await runPool(Array.from({ length: 1200 }, (_, i) => post(i)), 16);
    const after = await heapAfterGc();
    expect([...warmup, ...load].filter((s) => s !== 201)).toEqual([]);
    // 1,200 more requests: a leak of even 5 KB each would show as over 6 MB.
    expect(after - before).toBeLessThan(6 * 1024 * 1024);

    // Redis comes back empty: the expiry schedule is registered again and holds expire.
    redisProc = await startRedisServer(port);
    const due = await hold(ctx, [['@m1', '5']], [['@m2', '5']], { expiresAt: new Date(Date.now() + 1500).toISOString() });
    const expired = await eventually(
      () => t!.api.get(`${ctx.base}/transactions/${due.id}`),
      (r) => r.body?.status?.code === 'CANCELED',
      20_000,
      250,
    );
    expect(expired.body.status.code).toBe('CANCELED');
  });
});

// ioredis arms a 2 s timer to destroy a socket that is already dead when a client disconnects
// from a Redis that is gone; let those run out so Jest sees no leftover handles.
afterAll(() => sleep(2100));
