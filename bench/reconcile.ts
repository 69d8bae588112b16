/**
 * npm run bench:reconcile: the cost of a full and of an incremental reconciliation run over a
 * ledger with more than 1,000,000 operations.
 *
 * 1. Recreates BENCH_RECONCILE_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench_reconcile),
 *    runs the migrations and seeds consistent books with set-based SQL (generate_series and window
 *    functions): BENCH_ACCOUNTS accounts (10,000) funded from @external/USD, then transfers, committed
 *    holds and canceled holds (BENCH_TRANSACTIONS, 500,000 in all), every operation chained.
 * 2. Runs the built CLI (dist/src/reconcile.js) for a full pass; the books must be HEALTHY.
 * 3. Starts the built app, posts BENCH_NEW_POSTINGS (100) transfers over HTTP, stops it.
 * 4. Runs the CLI again: an incremental run over what changed since the checkpoint.
 * Prints both run times (and per check), and their ratio. Exits non-zero if a run is not HEALTHY.
 */
import { phase } from './phase';
import type { ChildProcess } from 'child_process';
import { spawn } from 'child_process';
import { join } from 'path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { validateEnv } from '../src/config/env.schema';
import { APP_ENTITIES } from '../src/app.entities';
import { dataSourceOptions } from '../src/infrastructure/database/data-source-options';
import { freePort, recreateDatabase as recreateEmptyDatabase, startBuiltApp } from './support';

const DB = process.env.BENCH_RECONCILE_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench_reconcile';
const ACCOUNTS = Number(process.env.BENCH_ACCOUNTS ?? 10_000);
const TRANSACTIONS = Number(process.env.BENCH_TRANSACTIONS ?? 500_000);
const NEW_POSTINGS = Number(process.env.BENCH_NEW_POSTINGS ?? 100);
const DIST = join(__dirname, '..', 'dist', 'src');
const CHILD_ENV = {
  ...process.env,
  NODE_ENV: 'production',
  AUTH_DISABLED: 'true',
  DATABASE_URL: DB,
  DB_RUN_MIGRATIONS: 'false',
  LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
  // The bench triggers its own runs; the schedule must not take the lock in between.
  RECONCILIATION_INTERVAL_MS: '86400000',
};

async function recreateDatabase(): Promise<void> {
  await recreateEmptyDatabase(DB);
  const ds = new DataSource(dataSourceOptions(validateEnv({ DATABASE_URL: DB }), APP_ENTITIES));
  await ds.initialize();
  await ds.runMigrations();
  await ds.destroy();
}

/** A UUIDv7-shaped id in SQL: the service's ids are time ordered, so its indexes follow insertion order. */
const v7 = (at: string) =>
  `(lpad(to_hex((extract(epoch FROM ${at}) * 1000)::bigint), 12, '0') || '7' || substr(md5(random()::text), 1, 3) || '8' || substr(md5(random()::text), 1, 15))::uuid`;

/** Seeds consistent books in a handful of set-based statements; returns the organization, ledger and operation count. */
async function seed(): Promise<{ org: string; ledger: string; operations: number }> {
  const c = new Client({ connectionString: DB });
  await c.connect();
  const q = (text: string, values: unknown[] = []) => c.query(text, values);
  try {
    const [{ org, ledger }] = (
      await q(`WITH o AS (INSERT INTO organizations (id, legal_name, legal_document) VALUES (gen_random_uuid(), 'Bench', '1') RETURNING id),
                    l AS (INSERT INTO ledgers (id, organization_id, name) SELECT gen_random_uuid(), id, 'bench' FROM o RETURNING id, organization_id)
               SELECT organization_id AS org, id AS ledger FROM l`)
    ).rows;
    await q(`INSERT INTO assets (id, organization_id, ledger_id, name, type, code) VALUES (gen_random_uuid(), $1, $2, 'US Dollar', 'currency', 'USD')`, [org, ledger]);
    // Account 0 is @external/USD.
    await q(`CREATE TEMP TABLE acc AS
               SELECT n, gen_random_uuid() AS account_id, gen_random_uuid() AS balance_id,
                      CASE WHEN n = 0 THEN '@external/USD' ELSE '@acc' || n END AS alias,
                      CASE WHEN n = 0 THEN 'external' ELSE 'deposit' END AS type
                 FROM generate_series(0, $1::int) n`, [ACCOUNTS]);
    await q(`INSERT INTO accounts (id, organization_id, ledger_id, asset_code, name, alias, type, created_at, updated_at)
             SELECT account_id, $1, $2, 'USD', alias, alias, type, now() - interval '2 days', now() - interval '2 days' FROM acc`, [org, ledger]);
    await q(`INSERT INTO balances (ledger_id, id, organization_id, account_id, alias, asset_code, account_type, created_at, updated_at)
             SELECT $2, balance_id, $1, account_id, alias, 'USD', type, now() - interval '2 days', now() - interval '2 days' FROM acc`, [org, ledger]);
    // One inflow per account first, then transfers; every 25th a committed hold, every 100th a canceled one.
    await q(`CREATE TEMP TABLE tx AS
               SELECT g AS seq, ${v7("now() - interval '1 day' + g * interval '1 millisecond'")} AS id,
                      CASE WHEN g <= $1 THEN 'inflow' WHEN g % 100 = 0 THEN 'canceled' WHEN g % 25 = 0 THEN 'held' ELSE 'transfer' END AS kind,
                      CASE WHEN g <= $1 THEN 0 ELSE 1 + (g * 7919) % $1 END AS src,
                      CASE WHEN g <= $1 THEN g ELSE 1 + ((g * 7919) % $1 + 1 + g % ($1 - 1)) % $1 END AS dst,
                      CASE WHEN g <= $1 THEN 1000000::numeric ELSE ((g % 100) + 1) / 100.0 END AS amount,
                      now() - interval '1 day' + g * interval '1 millisecond' AS at
                 FROM generate_series(1, $2::bigint) g`, [ACCOUNTS, TRANSACTIONS]);
    await q(`INSERT INTO transactions (ledger_id, id, organization_id, status_code, amount, asset_code, source, destination, body, created_at, updated_at)
             SELECT $2, tx.id, $1, CASE WHEN kind = 'canceled' THEN 'CANCELED' ELSE 'APPROVED' END, amount, 'USD',
                    ARRAY[s.alias], ARRAY[d.alias],
                    jsonb_build_object('asset', 'USD', 'value', trim_scale(amount)::text,
                      'sources', jsonb_build_array(jsonb_build_object('alias', s.alias, 'balanceKey', 'default', 'amount', trim_scale(amount)::text)),
                      'destinations', jsonb_build_array(jsonb_build_object('alias', d.alias, 'balanceKey', 'default', 'amount', trim_scale(amount)::text))),
                    at, at
               FROM tx JOIN acc s ON s.n = tx.src JOIN acc d ON d.n = tx.dst
              ORDER BY tx.seq`, [org, ledger]);
    // Each operation's effect on its balance, in order: (seq, step) per balance.
    await q(`CREATE TEMP TABLE op AS
               SELECT seq, 0 AS step, id AS tx, src AS n, 'DEBIT' AS type, amount, -amount AS d_av, 0::numeric AS d_oh, at FROM tx WHERE kind IN ('inflow', 'transfer')
               UNION ALL SELECT seq, 1, id, dst, 'CREDIT', amount, amount, 0, at FROM tx WHERE kind IN ('inflow', 'transfer', 'held')
               UNION ALL SELECT seq, 0, id, src, 'ON_HOLD', amount, -amount, amount, at FROM tx WHERE kind IN ('held', 'canceled')
               UNION ALL SELECT seq, 1, id, src, 'DEBIT', amount, 0, -amount, at FROM tx WHERE kind = 'held'
               UNION ALL SELECT seq, 1, id, src, 'RELEASE', amount, amount, -amount, at FROM tx WHERE kind = 'canceled'`);
    await q(`INSERT INTO operations (ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias, balance_key, asset_code,
               type, amount, available_before, on_hold_before, version_before, available_after, on_hold_after, version_after, created_at, updated_at)
             SELECT $2, ${v7('op.at')}, $1, op.tx, acc.balance_id, acc.account_id, acc.alias, 'default', 'USD', op.type, op.amount,
                    sum(d_av) OVER w - d_av, sum(d_oh) OVER w - d_oh, row_number() OVER w - 1,
                    sum(d_av) OVER w, sum(d_oh) OVER w, row_number() OVER w, op.at, op.at
               FROM op JOIN acc USING (n)
             WINDOW w AS (PARTITION BY op.n ORDER BY op.seq, op.step)
              ORDER BY op.seq, op.step`, [org, ledger]);
    await q(`UPDATE balances b SET available = s.available, on_hold = s.on_hold, version = s.version
               FROM (SELECT n, sum(d_av) AS available, sum(d_oh) AS on_hold, count(*) AS version FROM op GROUP BY n) s
               JOIN acc USING (n)
              WHERE b.ledger_id = $1 AND b.id = acc.balance_id`, [ledger]);
    await q(`VACUUM ANALYZE`);
    const [{ n }] = (await q(`SELECT count(*)::int AS n FROM operations`)).rows;
    return { org, ledger, operations: n };
  } finally {
    await c.end();
  }
}

interface CliRun {
  id: string;
  mode: string;
  status: string;
  durationMs: number;
  checks: Array<{ name: string; durationMs: number; scanned: number; status: string }>;
}

function reconcile(args: string[]): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [join(DIST, 'reconcile.js'), '--json', ...args], { env: CHILD_ENV, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('exit', (code) => {
      try {
        resolve(JSON.parse(out));
      } catch {
        reject(new Error(`reconcile exited ${code}: ${out}`));
      }
    });
  });
}

function startApp(port: number): Promise<ChildProcess> {
  return startBuiltApp(port, CHILD_ENV);
}

/** Posts transfers between seeded accounts through the real app. */
async function postSome(org: string, ledger: string): Promise<void> {
  const port = await freePort();
  const app = await startApp(port);
  try {
    const url = `http://127.0.0.1:${port}/v1/organizations/${org}/ledgers/${ledger}/transactions/json`;
    for (let i = 0; i < NEW_POSTINGS; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, NEW_POSTINGS - i) }, async (_, j) => {
          const from = `@acc${1 + ((i + j) * 37) % ACCOUNTS}`;
          const to = `@acc${1 + ((i + j) * 37 + 1) % ACCOUNTS}`;
          const leg = (accountAlias: string) => ({ accountAlias, amount: { asset: 'USD', value: '1.5' } });
          const res = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ send: { asset: 'USD', value: '1.5', source: { from: [leg(from)] }, distribute: { to: [leg(to)] } } }),
          });
          if (res.status !== 201) throw new Error(`posting failed: ${res.status} ${await res.text()}`);
        }),
      );
    }
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.once('exit', r));
  }
}

function printRun(label: string, r: CliRun): void {
  console.log(`${label}: ${r.durationMs} ms (${r.mode}, ${r.status})`);
  for (const c of r.checks) {
    console.log(`  ${c.name.padEnd(22)} ${String(c.durationMs).padStart(7)} ms  ${String(c.scanned).padStart(9)} rows  ${c.status}`);
  }
}

async function main(): Promise<void> {
  let t = Date.now();
  phase(`recreating the database ${new URL(DB).pathname.slice(1)}`);
  await recreateDatabase();
  phase(`seeding ${TRANSACTIONS.toLocaleString('en')} transactions over ${ACCOUNTS.toLocaleString('en')} accounts`);
  const { org, ledger, operations } = await seed();
  console.log(`seeded ${operations.toLocaleString('en')} operations (${TRANSACTIONS.toLocaleString('en')} transactions, ${ACCOUNTS.toLocaleString('en')} accounts) in ${((Date.now() - t) / 1000).toFixed(1)} s`);

  phase('full reconciliation run (npm run reconcile -- --full)');
  const full = await reconcile(['--full']);
  printRun('full run', full);
  t = Date.now();
  phase(`posting ${NEW_POSTINGS} transfers through the app`);
  await postSome(org, ledger);
  console.log(`posted ${NEW_POSTINGS} transfers through the app in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  phase('incremental reconciliation run (npm run reconcile)');
  const incremental = await reconcile([]);
  printRun('incremental run', incremental);
  console.log(`\nreconciliation over ${operations.toLocaleString('en')} operations: full ${full.durationMs} ms, incremental ${incremental.durationMs} ms ` +
    `(${((incremental.durationMs / full.durationMs) * 100).toFixed(1)}% of the full run)`);
  if (full.status !== 'HEALTHY' || incremental.status !== 'HEALTHY' || incremental.mode !== 'incremental') process.exitCode = 1;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
