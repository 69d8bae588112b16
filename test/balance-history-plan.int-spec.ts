import { Client } from 'pg';
import { CursorWindow } from '../src/common/pagination/cursor';
import { BALANCE_AS_OF_SQL, balanceHistoryQuery } from '../src/modules/balance/balance.repository';
import { startApp, TestApp } from './support/app';
import { newAccount, newLedger } from './support/factories';
import { balanceState } from './support/holds';
import { TEST_DATABASE_URL } from './support/test-env';

/**
 * A balance as of an instant and its history are read through indexes, never by scanning the
 * operations table: the plans of the repository's own statements, for a balance with many
 * operations (written and analyzed inside a transaction that is rolled back, so the shared books
 * other tests reconcile never see them). BALANCE_PLAN_PRINT=1 prints the plans.
 */
const OPS = 20_000;
/** Operation i (version i) is stamped i seconds after BASE (set from the balance's creation). */
let BASE_MS = 0;
const stamp = (i: number) => new Date(BASE_MS + i * 1000);

let t: TestApp;
let db: Client;
beforeAll(async () => {
  t = await startApp();
  db = new Client({ connectionString: TEST_DATABASE_URL });
  await db.connect();
});
afterAll(async () => {
  await db.query('ROLLBACK').catch(() => undefined);
  await db.end();
  await t.close();
});

async function plan(text: string, values: unknown[]): Promise<string> {
  const { rows } = await db.query(`EXPLAIN ${text}`, values);
  const out = rows.map((r) => r['QUERY PLAN'] as string).join('\n');
  if (process.env.BALANCE_PLAN_PRINT) process.stdout.write(`\n${out}\n`);
  return out;
}

/**
 * Every access to operations is an index scan (the balance row is one primary-key row; on a test
 * database with a handful of balances the planner rightly reads that tiny table whole).
 */
function expectIndexOnly(p: string): void {
  expect(p).not.toMatch(/Seq Scan on operations/);
  expect(p).not.toMatch(/Bitmap Heap Scan on operations/);
  const onOperations = p.split('\n').filter((l) => / on operations /.test(l));
  expect(onOperations.length).toBeGreaterThan(0);
  for (const line of onOperations) expect(line).toMatch(/Index (Only )?Scan( Backward)? using \S+ on operations/);
}

it('reads a balance at an instant and its history through indexes, with many operations', async () => {
  const ctx = await newLedger(t.api);
  const account = await newAccount(ctx, '@many');
  const { id: balanceId } = await balanceState(ctx, '@many');
  const txId = '0190a000-0000-7000-8000-00000000abcd';
  const [created] = (await db.query(`SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text AS ms FROM balances WHERE id = $1`, [balanceId])).rows;
  BASE_MS = Number(created.ms) + 1000;

  await db.query('BEGIN');
  await db.query(
    `INSERT INTO transactions (ledger_id, id, organization_id, status_code, amount, asset_code, source, destination, body)
     VALUES ($1, $2, $3, 'APPROVED', 1, 'USD', '{}', '{@many}', '{}')`,
    [ctx.ledger, txId, ctx.org],
  );
  await db.query(
    `INSERT INTO operations (ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias, balance_key,
                             asset_code, type, amount, available_before, on_hold_before, version_before, available_after,
                             on_hold_after, version_after, created_at, updated_at)
     SELECT $1, gen_random_uuid(), $2, $3, $4, $5, '@many', 'default', 'USD', 'CREDIT', 1, i - 1, 0, i - 1, i, 0, i,
            $6::timestamptz + i * interval '1 second', $6::timestamptz + i * interval '1 second'
       FROM generate_series(1, ${OPS}) AS i`,
    [ctx.ledger, ctx.org, txId, balanceId, account.id, new Date(BASE_MS)],
  );
  await db.query('ANALYZE operations');

  for (const at of [stamp(0), stamp(1), stamp(OPS / 2), stamp(OPS - 1), stamp(OPS + 10)]) {
    const p = await plan(BALANCE_AS_OF_SQL, [ctx.ledger, balanceId, ctx.org, new Date(at.getTime() + 1)]);
    expectIndexOnly(p);
  }
  // The statements answer what the plan is for (the same transaction sees the rows).
  const mid = await db.query(BALANCE_AS_OF_SQL, [ctx.ledger, balanceId, ctx.org, new Date(stamp(OPS / 2).getTime() + 1)]);
  expect(mid.rows[0].at_version).toBe(String(OPS / 2));

  const page = { limit: 10, page: 1, sortOrder: 'asc' as const, metadata: {} };
  const ranges = [{}, { from: stamp(OPS / 2) }, { to: stamp(OPS / 4) }, { from: stamp(OPS / 4), to: stamp((3 * OPS) / 4) }];
  for (const range of ranges) {
    const window = new CursorWindow(page);
    const q = balanceHistoryQuery(ctx.ledger, balanceId, range, window);
    expectIndexOnly(await plan(q.text, q.values));
    const rows = (await db.query(q.text, q.values)).rows;
    expect(rows.length).toBe(11);
  }
  const first = await db.query(
    balanceHistoryQuery(ctx.ledger, balanceId, { from: stamp(OPS / 4) }, new CursorWindow(page)).text,
    balanceHistoryQuery(ctx.ledger, balanceId, { from: stamp(OPS / 4) }, new CursorWindow(page)).values,
  );
  expect(first.rows.map((r) => Number(r.version)).slice(0, 3)).toEqual([OPS / 4, OPS / 4 + 1, OPS / 4 + 2]);
  const cursor = new CursorWindow(page).page(first.rows.slice(0, 11), (r) => r).next_cursor!;
  const next = balanceHistoryQuery(ctx.ledger, balanceId, { from: stamp(OPS / 4) }, new CursorWindow({ ...page, cursor }));
  expectIndexOnly(await plan(next.text, next.values));
  expect(Number((await db.query(next.text, next.values)).rows[0].version)).toBe(OPS / 4 + 10);

  await db.query('ROLLBACK');
});
