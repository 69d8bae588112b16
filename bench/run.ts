/**
 * npm run bench: starts the built app against a fresh database, seeds a ledger, drives it
 * over loopback with autocannon (64 connections) and prints throughput and latency per
 * scenario, then checks the books with SQL. Exits non-zero if the books are not clean.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench, dropped
 * and recreated), REDIS_URL, BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 64),
 * BENCH_NODE_ARGS (extra node flags for the app, e.g. --cpu-prof), BENCH_SCENARIOS (default
 * health,uniform,hot).
 */
import { phase } from './phase';
import type { ChildProcess } from 'child_process';
import { randomInt } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
import { Client } from 'pg';
import { booksClean, checkBooks } from './books-check';
import { freePort, recreateDatabase, startBuiltApp } from './support';

const DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ACCOUNTS = 1000;
const SCENARIOS = (process.env.BENCH_SCENARIOS ?? 'health,uniform,hot').split(',');

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

/** CPU seconds used so far by every process whose command name starts with `name` (postgres backends, redis). */
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

/** Where the machine's CPU went, per request: the app, Postgres, Redis and this load generator. */
function cpuSnapshot(): Record<'app' | 'appKernel' | 'postgres' | 'redis' | 'loadgen', number> {
  const own = process.cpuUsage();
  return {
    app: cpuSeconds(appPid),
    appKernel: cpuSeconds(appPid, true),
    postgres: cpuSecondsOf('postgres'),
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

async function run(id: string, name: string, opts: Record<string, unknown>): Promise<Measured> {
  const cpuBefore = cpuSnapshot();
  const before = await batchTotals();
  const r: any = await new Promise((resolve, reject) =>
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err: Error | null, res: unknown) =>
      err ? reject(err) : resolve(res),
    ),
  );
  const cpuAfter = cpuSnapshot();
  const perRequest = (k: keyof typeof cpuAfter) => ((cpuAfter[k] - cpuBefore[k]) * 1e6) / Math.max(1, r.requests.total);
  const after = await batchTotals();
  const batches = after.batches - before.batches;
  return {
    id,
    name,
    rps: r.requests.average,
    cpuUsPerRequest: perRequest('app'),
    appKernelUs: perRequest('appKernel'),
    pgUs: perRequest('postgres'),
    redisUs: perRequest('redis'),
    loadgenUs: perRequest('loadgen'),
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors,
    batchSize: batches ? (after.postings - before.postings) / batches : 0,
    batchMs: batches ? ((after.seconds - before.seconds) * 1000) / batches : 0,
  };
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
    // Warm up the JIT and the connection pool.
    phase('warm-up (3 s)');
    await run('warmup', 'warmup', { ...post(() => transfer(...randomPair())), duration: 3 });

    const results: Measured[] = [];
    const scenarios: Array<[string, string, Record<string, unknown>]> = [
      ['health', 'GET /health (ceiling)', { url: `${base}/health` }],
      ['uniform', 'uniform: 1,000 accounts', post(() => transfer(...randomPair()))],
      ['hot', 'hot: every transfer touches @external/USD', post(() => transfer(`@acc${randomInt(ACCOUNTS)}`, '@external/USD'))],
    ];
    for (const [id, name, opts] of scenarios) {
      if (!SCENARIOS.includes(id)) continue;
      phase(`scenario ${name} (${DURATION} s)`);
      results.push(await run(id, name, opts));
    }
    const ceiling = results.find((r) => r.id === 'health')?.rps ?? NaN;
    console.log(`\nledger bench: ${CONNECTIONS} connections, ${DURATION} s per scenario, synchronous_commit on\n`);
    console.log(
      'scenario                                      req/s     p50 ms  p99 ms  non-2xx  errors  vs ceiling  app CPU/req   batch size  batch ms',
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)}  ${String(r.p50).padStart(7)}  ${String(r.p99).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}  ${((r.rps / ceiling) * 100).toFixed(0).padStart(5)}%  ${r.cpuUsPerRequest.toFixed(0).padStart(8)} µs  ${r.batchSize ? r.batchSize.toFixed(1).padStart(10) : '         -'}  ${r.batchSize ? r.batchMs.toFixed(1).padStart(8) : '       -'}`,
      );
    }
    console.log('\nCPU per request (µs): app (of which kernel) / postgres / redis / load generator');
    for (const r of results) {
      console.log(`${r.name.padEnd(44)} ${[r.cpuUsPerRequest, r.appKernelUs, r.pgUs, r.redisUs, r.loadgenUs].map((v) => v.toFixed(0).padStart(6)).join(' ')}`);
    }
    const [uniform, hot] = ['uniform', 'hot'].map((id) => results.find((r) => r.id === id));
    if (uniform && hot) console.log(`\nhot / uniform: ${((hot.rps / uniform.rps) * 100).toFixed(0)}%`);

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
