/**
 * npm run bench: starts the built app against a fresh database, seeds a ledger, drives it
 * over loopback with autocannon (64 connections) and prints throughput and latency per
 * scenario, then checks the books with SQL. Exits non-zero if the books are not clean.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench, dropped
 * and recreated), REDIS_URL, BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 64),
 * BENCH_NODE_ARGS (extra node flags for the app, e.g. --cpu-prof), BENCH_SCENARIOS (default
 * health,uniform,hot,batch-uniform,batch-hot,ceiling), BENCH_BATCH_ITEMS (100 transfers per batch
 * request), BENCH_BATCH_CONNECTIONS (8), BENCH_CEILING=off (skips the ceiling whatever BENCH_SCENARIOS says),
 * BENCH_CEILING_CLIENTS (4) and BENCH_CEILING_BATCH (100 transfers per Postgres transaction).
 *
 * Per scenario it prints the app's CPU µs per request (from /proc) and the throughput as a
 * ratio of GET /health (the app's own ceiling) and of `ceiling` (the database's: the same
 * transfers written straight from a pg client, 100 per transaction; see ceiling.ts). Postgres
 * CPU counts the bench database's backends and the server's background processes, not the
 * backends of other databases on the same server.
 */
import { phase } from './phase';
import type { ChildProcess } from 'child_process';
import { randomInt } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
import { Client } from 'pg';
import { booksClean, checkBooks } from './books-check';
import { runCeiling } from './ceiling';
import { freePort, recreateDatabase, startBuiltApp } from './support';

const DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
/** Transfers per batch request, and the connections that send them, in the batch-* scenarios. */
const BATCH_ITEMS = Number(process.env.BENCH_BATCH_ITEMS ?? 100);
const BATCH_CONNECTIONS = Number(process.env.BENCH_BATCH_CONNECTIONS ?? 8);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ACCOUNTS = 1000;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'health,uniform,hot,batch-uniform,batch-hot,ceiling')
  .split(',')
  .filter((id) => id !== 'ceiling' || process.env.BENCH_CEILING !== 'off');
const CEILING_CLIENTS = Number(process.env.BENCH_CEILING_CLIENTS ?? 4);
const CEILING_BATCH = Number(process.env.BENCH_CEILING_BATCH ?? 100);

async function startApp(port: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Auth and rate limiting off: the bench measures the ledger, from one client IP.
  return startBuiltApp(
    port,
    { ...process.env, NODE_ENV: 'production', AUTH_DISABLED: 'true', DATABASE_URL: DB, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
    nodeArgs,
  );
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function seed(base: string): Promise<string> {
  const org = await call(base, 'POST', '/v1/organizations', { legalName: 'Bench', legalDocument: '1' });
  const ledger = await call(base, 'POST', `/v1/organizations/${org.id}/ledgers`, { name: 'bench' });
  const prefix = `/v1/organizations/${org.id}/ledgers/${ledger.id}`;
  await call(base, 'POST', `${prefix}/assets`, { name: 'US Dollar', type: 'currency', code: 'USD' });
  for (let i = 0; i < ACCOUNTS; i += 50) {
    await Promise.all(
      Array.from({ length: Math.min(50, ACCOUNTS - i) }, (_, j) =>
        call(base, 'POST', `${prefix}/accounts`, { assetCode: 'USD', type: 'deposit', alias: `@acc${i + j}` }),
      ),
    );
  }
  for (let i = 0; i < ACCOUNTS; i += 100) {
    const to = Array.from({ length: Math.min(100, ACCOUNTS - i) }, (_, j) => ({
      accountAlias: `@acc${i + j}`,
      amount: { asset: 'USD', value: '1000000' },
    }));
    await call(base, 'POST', `${prefix}/transactions/inflow`, {
      send: { asset: 'USD', value: String(1000000 * to.length), distribute: { to } },
    });
  }
  // A live database has planner statistics (autovacuum gathers them within a minute); a freshly
  // seeded one has none, and the balance lock's plan depends on them. Only the tables whose
  // seeding is complete: statistics for a near-empty transactions table would mislead the plans.
  const db = new Client({ connectionString: DB });
  await db.connect();
  await db.query('ANALYZE accounts, balances');
  await db.end();
  return prefix;
}

/** CPU seconds (user + system, or system only) a process and its reaped children have used so far, from /proc. */
function cpuSeconds(pid: number | string, kernelOnly = false): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    if (kernelOnly) return (Number(fields[12]) + Number(fields[14])) / 100;
    // utime + stime + cutime + cstime: a postgres backend that exited is still counted by the postmaster.
    return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU seconds used so far by every process whose command name starts with `name` (redis). */
function cpuSecondsOf(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(name)) total += cpuSeconds(pid) || 0;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * The Postgres processes working for the bench: the backends of the bench database and the
 * server's background processes (WAL writer, checkpointer...), not other databases' backends
 * (the server may be shared). Asked before and after a scenario.
 */
async function postgresPids(): Promise<number[]> {
  const db = new Client({ connectionString: DB });
  await db.connect();
  try {
    const res = await db.query<{ pid: number }>(
      `SELECT pid FROM pg_stat_activity WHERE datname = current_database() OR (datname IS NULL AND backend_type <> 'client backend')`,
    );
    return res.rows.map((r) => r.pid);
  } finally {
    await db.end();
  }
}

/** CPU seconds of those Postgres processes, per pid (an ended one keeps its last reading). */
function postgresCpu(pids: number[], into = new Map<number, number>()): Map<number, number> {
  for (const pid of pids) {
    const s = cpuSeconds(pid);
    if (!Number.isNaN(s)) into.set(pid, s);
  }
  return into;
}

/** Where the machine's CPU went, per request: the app, Redis and this load generator (Postgres: postgresCpu). */
function cpuSnapshot(): Record<'app' | 'appKernel' | 'redis' | 'loadgen', number> {
  const own = process.cpuUsage();
  return {
    app: cpuSeconds(appPid),
    appKernel: cpuSeconds(appPid, true),
    redis: cpuSecondsOf('redis-server'),
    loadgen: (own.user + own.system) / 1e6,
  };
}

interface Measured {
  /** Scenario id (BENCH_SCENARIOS) and its printed name. */
  id: string;
  name: string;
  rps: number;
  cpuUsPerRequest: number;
  /** The part of cpuUsPerRequest spent in the kernel (system calls: sockets). */
  appKernelUs: number;
  /** CPU µs per request of Postgres, Redis and the load generator. */
  pgUs: number;
  redisUs: number;
  loadgenUs: number;
  /** Average postings per group-commit batch and average batch time (lock to commit). */
  batchSize: number;
  batchMs: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

let appPid = 0;
let appBase = '';

/** Sum and count of the group-commit histograms, read from the app's /metrics. */
async function batchTotals(): Promise<{ batches: number; postings: number; seconds: number }> {
  const text = await (await fetch(`${appBase}/metrics`)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? 0);
  return {
    batches: value('ledger_posting_batch_size_count'),
    postings: value('ledger_posting_batch_size_sum'),
    seconds: value('ledger_posting_batch_seconds_sum'),
  };
}

/** What a load driver reports: requests (or transfers) done, per second, latency and failures. */
interface Driven {
  total: number;
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
  /** Called after the CPU readings (the ceiling's clients stay connected until then). */
  close?: () => Promise<void>;
}

async function autocannonDriver(opts: Record<string, unknown>): Promise<Driven> {
  const r: any = await new Promise((resolve, reject) =>
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err: Error | null, res: unknown) =>
      err ? reject(err) : resolve(res),
    ),
  );
  return { total: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

async function run(id: string, name: string, drive: () => Promise<Driven>): Promise<Measured> {
  const pgPids = await postgresPids();
  const pgBefore = postgresCpu(pgPids);
  const cpuBefore = cpuSnapshot();
  const before = await batchTotals();
  const r = await drive();
  const cpuAfter = cpuSnapshot();
  const pgAfter = postgresCpu(await postgresPids(), postgresCpu(pgPids));
  let pgSeconds = 0;
  for (const [pid, s] of pgAfter) pgSeconds += s - (pgBefore.get(pid) ?? 0);
  await r.close?.();
  const perRequest = (k: keyof typeof cpuAfter) => ((cpuAfter[k] - cpuBefore[k]) * 1e6) / Math.max(1, r.total);
  const after = await batchTotals();
  const batches = after.batches - before.batches;
  return {
    id,
    name,
    rps: r.rps,
    cpuUsPerRequest: perRequest('app'),
    appKernelUs: perRequest('appKernel'),
    pgUs: (pgSeconds * 1e6) / Math.max(1, r.total),
    redisUs: perRequest('redis'),
    loadgenUs: perRequest('loadgen'),
    p50: r.p50,
    p99: r.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    batchSize: batches ? (after.postings - before.postings) / batches : 0,
    batchMs: batches ? ((after.seconds - before.seconds) * 1000) / batches : 0,
  };
}

/** Turns per-request figures into per-transfer ones (rates times n, CPU divided by n). */
function perTransfer(m: Measured, n: number): void {
  m.rps *= n;
  for (const k of ['cpuUsPerRequest', 'appKernelUs', 'pgUs', 'redisUs', 'loadgenUs'] as const) m[k] /= n;
}

function transfer(from: string, to: string): string {
  return JSON.stringify({
    send: {
      asset: 'USD',
      value: '0.01',
      source: { from: [{ accountAlias: from, amount: { asset: 'USD', value: '0.01' } }] },
      distribute: { to: [{ accountAlias: to, amount: { asset: 'USD', value: '0.01' } }] },
    },
  });
}

function randomPair(): [string, string] {
  const a = randomInt(ACCOUNTS);
  let b = randomInt(ACCOUNTS - 1);
  if (b >= a) b++;
  return [`@acc${a}`, `@acc${b}`];
}

async function main(): Promise<void> {
  phase(`recreating the database ${new URL(DB).pathname.slice(1)}`);
  await recreateDatabase(DB);
  const port = await freePort();
  phase('starting the app (npm run build output)');
  const app = await startApp(port);
  appPid = app.pid ?? 0;
  appBase = `http://127.0.0.1:${port}`;
  const base = `http://127.0.0.1:${port}`;
  try {
    phase(`seeding ${ACCOUNTS} accounts`);
    const prefix = await seed(base);
    const path = `${prefix}/transactions/json`;
    const post = (body: () => string) => ({
      url: base + path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
    });
    // POST transactions/batch (atomic): BATCH_ITEMS transfers per request, each body built like `post`'s.
    const postBatch = (body: () => string) => ({
      ...post(() => `{"mode":"atomic","transactions":[${Array.from({ length: BATCH_ITEMS }, () => `{"type":"json","body":${body()}}`).join(',')}]}`),
      url: `${base}${prefix}/transactions/batch`,
    });
    // Warm up the JIT and the connection pool.
    phase('warm-up (3 s)');
    await run('warmup', 'warmup', () => autocannonDriver({ ...post(() => transfer(...randomPair())), duration: 3 }));

    const results: Measured[] = [];
    const aliases = Array.from({ length: ACCOUNTS }, (_, i) => `@acc${i}`);
    let ceilingBatchMs = 0;
    const scenarios: Array<[string, string, () => Promise<Driven>]> = [
      ['health', 'GET /health (app ceiling)', () => autocannonDriver({ url: `${base}/health` })],
      ['uniform', 'uniform: 1,000 accounts', () => autocannonDriver(post(() => transfer(...randomPair())))],
      ['hot', 'hot: every transfer touches @external/USD', () => autocannonDriver(post(() => transfer(`@acc${randomInt(ACCOUNTS)}`, '@external/USD')))],
      ['batch-uniform', `batch-uniform: ${BATCH_ITEMS} transfers per request`, () => autocannonDriver({ ...postBatch(() => transfer(...randomPair())), connections: BATCH_CONNECTIONS })],
      ['batch-hot', `batch-hot: ${BATCH_ITEMS} per request, all on @external/USD`, () => autocannonDriver({ ...postBatch(() => transfer(`@acc${randomInt(ACCOUNTS)}`, '@external/USD')), connections: BATCH_CONNECTIONS })],
      // After the app's scenarios, on the same accounts: the app scenarios see the books they always saw.
      [
        'ceiling',
        `ceiling: raw SQL, ${CEILING_BATCH}/tx, ${CEILING_CLIENTS} clients`,
        async () => {
          const c = await runCeiling({ databaseUrl: DB, aliases, durationS: DURATION, clients: CEILING_CLIENTS, transfersPerBatch: CEILING_BATCH });
          ceilingBatchMs = c.batchMs;
          return { total: c.transfers, rps: c.transfers / c.seconds, p50: NaN, p99: NaN, non2xx: 0, errors: 0, close: c.close };
        },
      ],
    ];
    for (const [id, name, drive] of scenarios) {
      if (!SCENARIOS.includes(id)) continue;
      phase(`scenario ${name} (${DURATION} s)`);
      const m = await run(id, name, drive);
      if (id === 'ceiling') Object.assign(m, { batchSize: CEILING_BATCH, batchMs: ceilingBatchMs });
      // A batch request carries BATCH_ITEMS transfers: its figures are per transfer, like the others'.
      if (id.startsWith('batch-')) perTransfer(m, BATCH_ITEMS);
      results.push(m);
    }
    const health = results.find((r) => r.id === 'health');
    const ceiling = results.find((r) => r.id === 'ceiling');
    const ratio = (r: Measured, of: Measured | undefined) => (of ? `${((r.rps / of.rps) * 100).toFixed(0).padStart(5)}%` : '     -');
    const num = (v: number, width: number) => (Number.isFinite(v) ? String(v) : '-').padStart(width);
    console.log(`\nledger bench: ${CONNECTIONS} connections (batch-*: ${BATCH_CONNECTIONS}), ${DURATION} s per scenario, synchronous_commit on`);
    console.log('batch-* and ceiling rows are per transfer: transfers/s and CPU µs per transfer\n');
    console.log(
      'scenario                                      req/s     p50 ms  p99 ms  non-2xx  errors  vs /health  vs ceiling  app CPU/req   batch size  batch ms',
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)}  ${num(r.p50, 7)}  ${num(r.p99, 6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}  ${ratio(r, health).padStart(10)}  ${ratio(r, ceiling).padStart(10)}  ${r.cpuUsPerRequest.toFixed(0).padStart(8)} µs  ${r.batchSize ? r.batchSize.toFixed(1).padStart(10) : '         -'}  ${r.batchSize ? r.batchMs.toFixed(1).padStart(8) : '       -'}`,
      );
    }
    console.log('\nCPU per request or transfer (µs): app (of which kernel) / postgres / redis / load generator (ceiling: its pg clients)');
    for (const r of results) {
      console.log(`${r.name.padEnd(44)} ${[r.cpuUsPerRequest, r.appKernelUs, r.pgUs, r.redisUs, r.loadgenUs].map((v) => v.toFixed(0).padStart(6)).join(' ')}`);
    }
    const [uniform, hot] = ['uniform', 'hot'].map((id) => results.find((r) => r.id === id));
    if (uniform && hot) console.log(`\nhot / uniform: ${((hot.rps / uniform.rps) * 100).toFixed(0)}%`);
    if (health) {
      for (const r of [uniform, hot]) {
        if (r) console.log(`${r.id} / health: ${(r.rps / health.rps).toFixed(3)} req/s, ${(health.cpuUsPerRequest / r.cpuUsPerRequest).toFixed(3)} app CPU (health µs / ${r.id} µs)`);
      }
    }

    for (const [batchId, singleId] of [['batch-uniform', 'uniform'], ['batch-hot', 'hot']]) {
      const [b, single] = [batchId, singleId].map((id) => results.find((r) => r.id === id));
      if (!b) continue;
      const parts = [`${batchId}: ${b.rps.toFixed(0)} transfers/s`];
      if (single) parts.push(`${(b.rps / single.rps).toFixed(1)}x single requests (${singleId})`);
      if (ceiling) parts.push(`${(b.rps / ceiling.rps).toFixed(2)}x the raw-SQL ceiling`);
      parts.push(`app CPU ${b.cpuUsPerRequest.toFixed(0)} µs per transfer`);
      console.log(parts.join(', '));
    }

    const books = await checkBooks(DB);
    console.log(`books check: ${booksClean(books) ? 'CLEAN' : 'BROKEN'} ${JSON.stringify(books)}`);
    if (!booksClean(books)) process.exitCode = 1;
  } finally {
    app.kill('SIGTERM');
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
