/**
 * npm run bench: starts the built app against a fresh database, seeds a ledger, drives it
 * over loopback with autocannon (64 connections) and prints throughput and latency per
 * scenario, then checks the books with SQL. Exits non-zero if the books are not clean.
 *
 * Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/ledger_bench, dropped
 * and recreated), REDIS_URL, BENCH_DURATION_S (default 10), BENCH_CONNECTIONS (default 64),
 * BENCH_NODE_ARGS (extra node flags for the app, e.g. --cpu-prof).
 */
import type { ChildProcess } from 'child_process';
import { randomInt } from 'crypto';
import { readFileSync } from 'fs';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const autocannon = require('autocannon');
import { booksClean, checkBooks } from './books-check';
import { freePort, recreateDatabase, startBuiltApp } from './support';

const DB = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench';
const DURATION = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const ACCOUNTS = 1000;

async function startApp(port: number): Promise<ChildProcess> {
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // Auth and rate limiting off: the bench measures the ledger, from one client IP.
  return startBuiltApp(
    port,
    { ...process.env, NODE_ENV: 'production', AUTH_DISABLED: 'true', RATE_LIMIT_MAX: '0', DATABASE_URL: DB, LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn' },
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
  return prefix;
}

/** CPU seconds (user + system) the app process has used so far, from /proc. */
function appCpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

interface Measured {
  name: string;
  rps: number;
  cpuUsPerRequest: number;
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

async function run(name: string, opts: Record<string, unknown>): Promise<Measured> {
  const cpuBefore = appCpuSeconds(appPid);
  const before = await batchTotals();
  const r: any = await new Promise((resolve, reject) =>
    autocannon({ connections: CONNECTIONS, duration: DURATION, ...opts }, (err: Error | null, res: unknown) =>
      err ? reject(err) : resolve(res),
    ),
  );
  const cpuUsPerRequest = ((appCpuSeconds(appPid) - cpuBefore) * 1e6) / Math.max(1, r.requests.total);
  const after = await batchTotals();
  const batches = after.batches - before.batches;
  return {
    name,
    rps: r.requests.average,
    cpuUsPerRequest,
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
  await recreateDatabase(DB);
  const port = await freePort();
  const app = await startApp(port);
  appPid = app.pid ?? 0;
  appBase = `http://127.0.0.1:${port}`;
  const base = `http://127.0.0.1:${port}`;
  try {
    const prefix = await seed(base);
    const path = `${prefix}/transactions/json`;
    const post = (body: () => string) => ({
      url: base + path,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
    });
    // Warm up the JIT and the connection pool.
    await run('warmup', { ...post(() => transfer(...randomPair())), duration: 3 });

    const results: Measured[] = [];
    results.push(await run('GET /health (ceiling)', { url: `${base}/health` }));
    results.push(await run('uniform: 1,000 accounts', post(() => transfer(...randomPair()))));
    results.push(
      await run('hot: every transfer touches @external/USD', post(() => transfer(`@acc${randomInt(ACCOUNTS)}`, '@external/USD'))),
    );

    const ceiling = results[0].rps;
    console.log(`\nledger bench: ${CONNECTIONS} connections, ${DURATION} s per scenario, synchronous_commit on\n`);
    console.log(
      'scenario                                      req/s     p50 ms  p99 ms  non-2xx  errors  vs ceiling  app CPU/req   batch size  batch ms',
    );
    for (const r of results) {
      console.log(
        `${r.name.padEnd(44)} ${r.rps.toFixed(0).padStart(7)}  ${String(r.p50).padStart(7)}  ${String(r.p99).padStart(6)}  ${String(r.non2xx).padStart(7)}  ${String(r.errors).padStart(6)}  ${((r.rps / ceiling) * 100).toFixed(0).padStart(5)}%  ${r.cpuUsPerRequest.toFixed(0).padStart(8)} µs  ${r.batchSize ? r.batchSize.toFixed(1).padStart(10) : '         -'}  ${r.batchSize ? r.batchMs.toFixed(1).padStart(8) : '       -'}`,
      );
    }
    const [, uniform, hot] = results;
    console.log(`\nhot / uniform: ${((hot.rps / uniform.rps) * 100).toFixed(0)}%`);

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
