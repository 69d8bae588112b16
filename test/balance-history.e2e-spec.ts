import { Client } from 'pg';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { BalanceChain, historyBetween, readChain, stateAt } from './support/balance-history';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { balanceState, cancel, commit, hold, revert } from './support/holds';
import { fund, prng, sleep, transfer, transferBody } from './support/postings';
import { TEST_DATABASE_URL } from './support/test-env';

/**
 * GET .../balances/{id}?at= and .../balances/{id}/history against a fold of the operations read
 * straight from Postgres (support/balance-history.ts), after a random workload of transfers,
 * holds, commits, cancels and reverts, some of them concurrent. The PRNG is seeded
 * (BALANCE_HISTORY_SEED overrides) so a failure reproduces.
 */
const SEED = Number(process.env.BALANCE_HISTORY_SEED ?? 20260314);

let t: TestApp;
let db: Client;
beforeAll(async () => {
  t = await startApp();
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db.end();
  await t.close();
});

/** The database's clock in ms (operations carry its time, never the test host's). */
async function dbNowMs(): Promise<number> {
  const { rows } = await db.query(`SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint::text AS ms`);
  return Number(rows[0].ms);
}

const iso = (ms: number) => new Date(ms).toISOString();
const balancePath = (ctx: LedgerCtx, id: string) => `${ctx.base}/balances/${id}`;

async function getAt(ctx: LedgerCtx, id: string, atMs: number) {
  return t.api.get(`${balancePath(ctx, id)}?at=${encodeURIComponent(iso(atMs))}`);
}

/** Every item of a history range, following next_cursor with `limit` per page; also checks prev_cursor walks back. */
async function readHistory(ctx: LedgerCtx, id: string, limit: number, fromMs?: number, toMs?: number): Promise<any[]> {
  const range = [fromMs === undefined ? '' : `&from=${encodeURIComponent(iso(fromMs))}`, toMs === undefined ? '' : `&to=${encodeURIComponent(iso(toMs))}`].join('');
  const pages: any[] = [];
  let cursor: string | null = null;
  do {
    const res: { status: number; body: any } = await t.api.get(`${balancePath(ctx, id)}/history?limit=${limit}${range}${cursor ? `&cursor=${cursor}` : ''}`);
    if (res.status !== 200) throw new Error(`history: ${res.status} ${JSON.stringify(res.body)}`);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    expect(res.body.limit).toBe(limit);
    pages.push(res.body);
    cursor = res.body.next_cursor;
  } while (cursor);
  // Walking back from the last page gives the same pages.
  for (let i = pages.length - 1; i > 0; i--) {
    const back = await t.api.get(`${balancePath(ctx, id)}/history?limit=${limit}${range}&cursor=${pages[i].prev_cursor}`);
    expect(back.body.items).toEqual(pages[i - 1].items);
  }
  if (pages.length > 0) expect(pages[0].prev_cursor).toBeNull();
  return pages.flatMap((p) => p.items);
}

/** Compares ?at= at each instant with the reference. */
async function checkAt(ctx: LedgerCtx, chain: BalanceChain, instants: number[]): Promise<void> {
  for (const atMs of instants) {
    const expected = stateAt(chain, atMs);
    const res = await getAt(ctx, chain.id, atMs);
    const label = `balance ${chain.id} at ${iso(atMs)} (seed ${SEED})`;
    if (expected === null) {
      expect({ label, status: res.status, code: res.body.code }).toEqual({ label, status: 404, code: '0007' });
    } else {
      expect({ label, status: res.status, state: { available: res.body.available, onHold: res.body.onHold, version: res.body.version } }).toEqual(
        { label, status: 200, state: expected },
      );
      expect(res.body.id).toBe(chain.id);
      expect(res.body.deletedAt).toBeNull();
    }
  }
}

describe('balances at an instant and their history, against the operations', () => {
  it('match a fold of the operations after a random workload (seeded)', async () => {
    const rand = prng(SEED);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)];
    const amount = (max: number) => String(1 + Math.floor(rand() * max));

    const instants: number[] = [await dbNowMs()];
    const ctx = await newLedger(t.api);
    instants.push(await dbNowMs());
    const aliases = ['@a', '@b', '@c'];
    for (const alias of aliases) await newAccount(ctx, alias);
    instants.push(await dbNowMs());
    await fund(ctx, '@a', '500');
    await fund(ctx, '@b', '300');

    const pending: string[] = [];
    const revertible: string[] = [];
    for (let step = 0; step < 45; step++) {
      const roll = rand();
      const [from, to] = [pick(aliases), pick(aliases)];
      if (roll < 0.3 && from !== to) {
        const res = await t.api.post(`${ctx.base}/transactions/json`, transferBody(from, to, amount(40)));
        if (res.status === 201) revertible.push(res.body.id);
      } else if (roll < 0.4) {
        await fund(ctx, to, amount(60));
      } else if (roll < 0.55 && from !== to) {
        const res = await t.api.post(`${ctx.base}/transactions/json`, { ...transferBody(from, to, amount(30)), pending: true });
        if (res.status === 201) pending.push(res.body.id);
      } else if (roll < 0.7 && pending.length > 0) {
        const id = pending.splice(Math.floor(rand() * pending.length), 1)[0];
        const res = await (rand() < 0.6 ? commit(ctx, id) : cancel(ctx, id));
        if (res.status === 200 && res.body.status.code === 'APPROVED') revertible.push(id);
      } else if (roll < 0.8 && revertible.length > 0) {
        await revert(ctx, revertible.splice(Math.floor(rand() * revertible.length), 1)[0]); // may be refused: funds moved on
      } else {
        // Several at once: batches with more than one operation per balance, stamps shared.
        await Promise.all(
          Array.from({ length: 2 + Math.floor(rand() * 4) }, () => {
            const [x, y] = [pick(aliases), pick(aliases)];
            return x === y ? fund(ctx, x, amount(20)) : t.api.post(`${ctx.base}/transactions/json`, transferBody(x, y, amount(15)));
          }),
        );
      }
      if (rand() < 0.5) await sleep(Math.floor(rand() * 4));
      instants.push(await dbNowMs());
    }
    // Whatever is still held stays held: the history shows it.
    if (pending.length > 0) await hold(ctx, [['@a', '1']], [['@b', '1']]).catch(() => undefined);
    instants.push(await dbNowMs());

    const ids = [...(await Promise.all(aliases.map((a) => balanceState(ctx, a)))), await balanceState(ctx, '@external/USD')].map((b) => b.id);
    for (const id of ids) {
      const chain = await readChain(db, ctx.ledger, id);
      expect(chain.ops.length).toBeGreaterThan(3);
      const stamps = chain.ops.map((o) => o.stampMs);
      const first = Math.min(...stamps);
      const last = Math.max(...stamps);
      const around = chain.ops.filter(() => rand() < 0.3).flatMap((o) => [o.stampMs - 1, o.stampMs + 1]);
      const random = Array.from({ length: 15 }, () => first - 5 + Math.floor(rand() * (last - first + 10)));
      const at = [
        ...new Set([
          chain.createdMs - 1000,
          chain.createdMs - 1, // before the balance existed: 404
          chain.createdMs, // the instant it was created (as shown, to the ms)
          ...stamps, // exactly at each operation's createdAt
          ...around,
          ...random,
          ...instants,
          last + 1,
          last + 3_600_000, // after the last operation
        ]),
      ].sort((x, y) => x - y);
      await checkAt(ctx, chain, at);

      // The whole history, with small pages.
      const full = historyBetween(chain);
      expect(full.length).toBe(chain.ops.length);
      expect(await readHistory(ctx, id, 3)).toEqual(full);
      expect(await readHistory(ctx, id, 100)).toEqual(full);

      // Sub-ranges (either end open), each against the reference.
      const points = [chain.createdMs - 1, ...stamps, ...instants, last + 1];
      for (let k = 0; k < 6; k++) {
        const [x, y] = [pick(points), pick(points)].sort((p, q) => p - q);
        const fromMs = k === 0 ? undefined : x;
        const toMs = k === 1 ? undefined : y;
        const limit = 1 + Math.floor(rand() * 4);
        const label = `history of ${id} from ${fromMs === undefined ? '-' : iso(fromMs)} to ${toMs === undefined ? '-' : iso(toMs)} (seed ${SEED})`;
        expect({ label, items: await readHistory(ctx, id, limit, fromMs, toMs) }).toEqual({ label, items: historyBetween(chain, fromMs, toMs) });
      }

      // The state at an instant is the last history item up to it.
      const mid = pick(stamps);
      const upTo = historyBetween(chain, undefined, mid);
      const res = await getAt(ctx, id, mid);
      expect(res.body.version).toBe(upTo.length === 0 ? 0 : upTo[upTo.length - 1].version);
    }
  });

  it('uses the chain, not the latest stamp, when a later version carries an earlier time', async () => {
    // Batch A takes its time, then waits for @y's row lock; batch B, later, posts to @x and
    // commits; A then writes @x's next version with its earlier time. The balance at A's time
    // must not count B's operation (stamped after it), so it is the state before both.
    const ctx = await newLedger(t.api);
    const [first, second] = [await newAccount(ctx, '@p'), await newAccount(ctx, '@q')];
    const [y, x] = first.id < second.id ? ['@p', '@q'] : ['@q', '@p'];
    await newAccount(ctx, '@z');
    for (const alias of ['@p', '@q', '@z']) await fund(ctx, alias, '50');
    const yId = (await balanceState(ctx, y)).id;
    const xId = (await balanceState(ctx, x)).id;
    expect(yId < xId).toBe(true); // locks go in id order: A waits on @y before it reaches @x

    const locker = new Client({ connectionString: TEST_DATABASE_URL });
    await locker.connect();
    let a: Promise<unknown>;
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM balances WHERE ledger_id = $1 AND id = $2 FOR UPDATE', [ctx.ledger, yId]);
      a = transfer(ctx, y, x, '5');
      for (let i = 0; i < 200; i++) {
        const { rows } = await db.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> $1`,
          [(await locker.query('SELECT pg_backend_pid() AS pid')).rows[0].pid],
        );
        if (rows[0].n > 0) break;
        await sleep(10);
      }
      await sleep(5);
      await transfer(ctx, '@z', x, '3');
    } finally {
      await locker.query('ROLLBACK');
      await locker.end();
    }
    await a!;

    const chain = await readChain(db, ctx.ledger, xId);
    const [b, late] = chain.ops.slice(-2);
    expect([b.version, b.amount, late.version, late.amount]).toEqual([2, '3', 3, '5']);
    expect(late.stampMs).toBeLessThan(b.stampMs); // the inversion this test is about
    const path = balancePath(ctx, xId);
    const at = async (ms: number) => (await getAt(ctx, xId, ms)).body.version;
    expect(await at(late.stampMs)).toBe(1); // not 3: version 2 is stamped after this instant
    expect(await at(b.stampMs - 1)).toBe(1);
    expect(await at(b.stampMs)).toBe(3);
    const upToLate = await t.api.get(`${path}/history?to=${iso(late.stampMs)}`);
    expect(upToLate.body.items.map((i: any) => i.version)).toEqual([1]);
    const fromB = await t.api.get(`${path}/history?from=${iso(b.stampMs)}`);
    expect(fromB.body.items.map((i: any) => i.version)).toEqual([2, 3]);
    const stamps = chain.ops.map((o) => o.stampMs);
    await checkAt(ctx, chain, [...new Set(stamps.flatMap((s) => [s - 1, s, s + 1]))]);
    for (const [fromMs, toMs] of [[late.stampMs, late.stampMs], [late.stampMs, b.stampMs], [undefined, b.stampMs - 1]]) {
      expect(await readHistory(ctx, xId, 1, fromMs, toMs)).toEqual(historyBetween(chain, fromMs, toMs));
    }
  });

  it('without at the balance is today’s; at a far instant it equals today’s state', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@x');
    await newAccount(ctx, '@y');
    await fund(ctx, '@x', '10.25');
    await transfer(ctx, '@x', '@y', '0.05');
    const { id } = await balanceState(ctx, '@x');
    const now = await t.api.get(balancePath(ctx, id));
    expect(now.status).toBe(200);
    expect(now.body).toMatchObject({ available: '10.2', onHold: '0', version: 2 });
    const later = await t.api.get(`${balancePath(ctx, id)}?at=9999-12-31T23:59:59.999Z`);
    expect(later.status).toBe(200);
    const { updatedAt: _u1, ...nowRest } = now.body;
    const { updatedAt: _u2, ...laterRest } = later.body;
    expect(laterRest).toEqual(nowRest);
  });

  it('a new balance is version 0 with zero amounts until its first operation', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@fresh');
    const { id } = await balanceState(ctx, '@fresh');
    const [created] = (await db.query(`SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text AS ms FROM balances WHERE id = $1`, [id])).rows;
    const res = await getAt(ctx, id, Number(created.ms));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id, available: '0', onHold: '0', version: 0 });
    expectError(await getAt(ctx, id, Number(created.ms) - 1), 404, '0007');
    const history = await t.api.get(`${balancePath(ctx, id)}/history`);
    expect(history.body).toEqual({ items: [], limit: 10, next_cursor: null, prev_cursor: null });
  });

  it('a deleted balance is found at the instants it was alive, not after; its history stays', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@gone');
    await newAccount(ctx, '@keeper');
    await fund(ctx, '@gone', '7');
    await transfer(ctx, '@gone', '@keeper', '7');
    const { id } = await balanceState(ctx, '@gone');
    const alive = await dbNowMs();
    await sleep(2);
    expect((await t.api.delete(balancePath(ctx, id))).status).toBe(204);
    const [deleted] = (await db.query(`SELECT floor(extract(epoch FROM deleted_at) * 1000)::bigint::text AS ms FROM balances WHERE id = $1`, [id])).rows;
    const deletedMs = Number(deleted.ms);

    expectError(await t.api.get(balancePath(ctx, id)), 404, '0007');
    const before = await getAt(ctx, id, alive);
    expect(before.status).toBe(200);
    expect(before.body).toMatchObject({ id, available: '0', onHold: '0', version: 2, deletedAt: null });
    expectError(await getAt(ctx, id, deletedMs), 404, '0007');
    expectError(await getAt(ctx, id, deletedMs + 60_000), 404, '0007');

    const history = await t.api.get(`${balancePath(ctx, id)}/history`);
    expect(history.status).toBe(200);
    expect(history.body.items.map((i: any) => [i.type, i.amount, i.available, i.onHold, i.version])).toEqual([
      ['CREDIT', '7', '7', '0', 1],
      ['DEBIT', '7', '0', '0', 2],
    ]);
    expect(Object.keys(history.body.items[0]).sort()).toEqual(
      ['amount', 'available', 'createdAt', 'onHold', 'operationId', 'transactionId', 'type', 'version'].sort(),
    );
  });

  it('refuses bad instants and ranges, and unknown balances', async () => {
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@r');
    const { id } = await balanceState(ctx, '@r');
    const path = balancePath(ctx, id);
    for (const bad of ['yesterday', '2027-02-30T00:00:00Z', '2026-12-01', '0000-01-01T00:00:00Z', '2026-12-01T12:00:00.0001Z', '']) {
      expectError(await t.api.get(`${path}?at=${encodeURIComponent(bad)}`), 400, '0077');
      expectError(await t.api.get(`${path}/history?from=${encodeURIComponent(bad)}`), 400, '0077');
      expectError(await t.api.get(`${path}/history?to=${encodeURIComponent(bad)}`), 400, '0077');
    }
    expectError(await t.api.get(`${path}?at=2026-12-01T12:00:00Z&at=2026-12-02T12:00:00Z`), 400, '0077');
    expectError(await t.api.get(`${path}/history?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z`), 400, '0083');
    expectError(await t.api.get(`${path}/history?sort_order=desc`), 400, '0053');
    expectError(await t.api.get(`${path}/history?limit=101`), 400, '0080');
    expectError(await t.api.get(`${path}/history?cursor=nope`), 400, '0047');

    const unknown = balancePath(ctx, '0190a000-0000-7000-8000-000000000001');
    expectError(await t.api.get(`${unknown}?at=2026-12-01T12:00:00Z`), 404, '0007');
    expectError(await t.api.get(`${unknown}/history`), 404, '0007');
    // Another organization's path to the same balance is a 404 as well.
    const other = await newLedger(t.api);
    expectError(await t.api.get(`${other.base}/balances/${id}?at=9999-01-01T00:00:00Z`), 404, '0007');
    expectError(await t.api.get(`${other.base}/balances/${id}/history`), 404, '0007');
  });
});
