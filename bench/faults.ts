/**
 * npm run bench:faults: a bank workload (transfers, holds with commit or cancel, reverts,
 * idempotent retries) from 24 concurrent clients against two app instances on one database,
 * while faults are injected in turn: an app instance SIGKILLed (and started again), Redis
 * restarted empty, and Postgres crash-restarted (`pg_ctlcluster ... restart -m immediate`)
 * where this machine's cluster can be controlled. Afterwards every unknown answer is settled
 * by resending with its X-Idempotency key, and the books are checked. Prints the faults
 * survived, the process exits nobody asked for, and the violations; exits non-zero on any
 * violation or unexpected exit.
 *
 * Environment: BENCH_FAULTS_DATABASE_URL (default .../ledger_bench_faults, recreated),
 * BENCH_FAULTS_DURATION_S (60), BENCH_FAULTS_EVERY_S (seconds between faults, 8),
 * BENCH_FAULTS_PG (`auto`: restart Postgres when pg_ctlcluster controls a local cluster;
 * `off`: never). Redis is a redis-server of its own on a free port (from PATH).
 */
import { ChildProcess, execFileSync, spawn } from 'child_process';
import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { checkHolds } from '../test/support/holds-check';
import { booksClean, checkBooks } from './books-check';
import { freePort, recreateDatabase, startBuiltApp } from './support';

const DB = process.env.BENCH_FAULTS_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ledger_bench_faults';
const DURATION_S = Number(process.env.BENCH_FAULTS_DURATION_S ?? 60);
const EVERY_S = Number(process.env.BENCH_FAULTS_EVERY_S ?? 8);
const CLIENTS = 24;
const ACCOUNTS = 20;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const phase = (what: string) => console.log(`[bench:faults] ${what}`);

/** The local cluster's version when `pg_ctlcluster` can restart it (root, a local host), else null. */
function controllableCluster(): string | null {
  if (process.env.BENCH_FAULTS_PG === 'off') return null;
  if (!['127.0.0.1', 'localhost'].includes(new URL(DB).hostname)) return null;
  try {
    const line = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).split('\n').find((l) => /\b5432\b/.test(l) && /online/.test(l));
    return line ? line.trim().split(/\s+/)[0] : null;
  } catch {
    return null;
  }
}

class RedisServer {
  proc?: ChildProcess;
  constructor(readonly port: number) {}
  async start(): Promise<void> {
    this.proc = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await sleep(300);
  }
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
  }
}

/** One app instance; an exit nobody asked for is counted and the instance is started again. */
class Instance {
  proc?: ChildProcess;
  killing = false;
  unexpectedExits = 0;
  constructor(
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
  ) {}
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  async start(): Promise<void> {
    const proc = await startBuiltApp(this.port, this.env);
    this.proc = proc;
    proc.once('exit', (code, signal) => {
      if (this.killing) return;
      this.unexpectedExits++;
      phase(`instance :${this.port} exited on its own (code ${code}, signal ${signal}); starting it again`);
      void this.start().catch(() => undefined);
    });
  }
  async kill(): Promise<void> {
    this.killing = true;
    const p = this.proc!;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGKILL');
    });
    this.killing = false;
    await this.start();
  }
  async stop(): Promise<void> {
    this.killing = true;
    this.proc?.kill('SIGTERM');
    await sleep(500);
  }
}

interface Sent {
  kind: 'transfer' | 'hold' | 'commit' | 'cancel' | 'revert';
  path: string;
  body: unknown;
  key?: string;
  holdId?: string;
  status: number;
  code?: string;
  id?: string;
}

async function main(): Promise<void> {
  const cluster = controllableCluster();
  phase(`database ${new URL(DB).pathname.slice(1)} (recreated); Postgres restarts: ${cluster ? `cluster ${cluster}/main` : 'skipped (no controllable local cluster, or BENCH_FAULTS_PG=off)'}`);
  await recreateDatabase(DB);
  const redis = new RedisServer(await freePort());
  await redis.start();
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    AUTH_DISABLED: 'true',
    DATABASE_URL: DB,
    REDIS_URL: `redis://127.0.0.1:${redis.port}`,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'error',
  };
  const first = new Instance(await freePort(), env);
  await first.start(); // runs the migrations alone
  const apps = [first, new Instance(await freePort(), { ...env, DB_RUN_MIGRATIONS: 'false' })];
  await apps[1].start();

  phase('seeding');
  const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> => {
    for (let attempt = 0; ; attempt++) {
      const app = apps[attempt % apps.length];
      try {
        const res = await fetch(app.url + path, { method, headers: { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
        return { status: res.status, json: await res.json().catch(() => undefined) };
      } catch (err) {
        if (attempt >= 40) throw err;
        await sleep(250);
      }
    }
  };
  const org = (await call('POST', '/v1/organizations', { legalName: 'Faults', legalDocument: '1' })).json;
  const ledger = (await call('POST', `/v1/organizations/${org.id}/ledgers`, { name: 'faults' })).json;
  const base = `/v1/organizations/${org.id}/ledgers/${ledger.id}`;
  await call('POST', `${base}/assets`, { name: 'US Dollar', type: 'currency', code: 'USD' });
  const aliases = Array.from({ length: ACCOUNTS }, (_, i) => `@bank${i}`);
  for (const alias of aliases) {
    await call('POST', `${base}/accounts`, { assetCode: 'USD', type: 'deposit', alias });
    await call('POST', `${base}/transactions/inflow`, { send: { asset: 'USD', value: '1000000', distribute: { to: [{ accountAlias: alias, amount: { asset: 'USD', value: '1000000' } }] } } });
  }

  const sent: Sent[] = [];
  const approved: string[] = [];
  const holds: string[] = [];
  const stopAt = Date.now() + DURATION_S * 1000;
  let clientIndex = 0;
  /** One request to a random live instance; a transport error (the instance was killed) is status 0. */
  const send = async (s: Omit<Sent, 'status'>): Promise<Sent> => {
    const app = apps[clientIndex++ % apps.length];
    let done: Sent;
    try {
      const res = await fetch(app.url + s.path, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(s.key ? { 'X-Idempotency': s.key } : {}) },
        body: JSON.stringify(s.body),
      });
      const json: any = await res.json().catch(() => undefined);
      done = { ...s, status: res.status, code: json?.code, id: json?.id };
    } catch {
      done = { ...s, status: 0 };
    }
    sent.push(done);
    return done;
  };
  const transferBody = (from: string, to: string, value: string, pending = false) => ({
    pending,
    send: { asset: 'USD', value, source: { from: [{ accountAlias: from, amount: { asset: 'USD', value } }] }, distribute: { to: [{ accountAlias: to, amount: { asset: 'USD', value } }] } },
  });
  const worker = async () => {
    while (Date.now() < stopAt) {
      const from = aliases[Math.floor(Math.random() * ACCOUNTS)];
      const to = aliases[(aliases.indexOf(from) + 1 + Math.floor(Math.random() * (ACCOUNTS - 1))) % ACCOUNTS];
      const value = String(1 + Math.floor(Math.random() * 50));
      const r = Math.random();
      if (r < 0.5) {
        const s = await send({ kind: 'transfer', key: randomUUID(), path: `${base}/transactions/json`, body: transferBody(from, to, value) });
        if (s.status === 201) approved.push(s.id!);
        // An idempotent retry now and then, as a client that lost its answer would send.
        if (Math.random() < 0.1) await send({ kind: 'transfer', key: s.key, path: s.path, body: s.body });
      } else if (r < 0.75) {
        const s = await send({ kind: 'hold', key: randomUUID(), path: `${base}/transactions/json`, body: transferBody(from, to, value, true) });
        if (s.status === 201) holds.push(s.id!);
      } else if (r < 0.9 && holds.length > 0) {
        const holdId = holds.splice(Math.floor(Math.random() * holds.length), 1)[0];
        const kind = Math.random() < 0.7 ? 'commit' : 'cancel';
        await send({ kind, holdId, path: `${base}/transactions/${holdId}/${kind}`, body: {} });
      } else if (approved.length > 0) {
        const parent = approved.splice(Math.floor(Math.random() * approved.length), 1)[0];
        await send({ kind: 'revert', key: randomUUID(), path: `${base}/transactions/${parent}/revert`, body: {} });
      }
    }
  };

  const faults: Record<string, number> = {};
  const injector = async () => {
    const kinds = ['kill app', 'restart redis', ...(cluster ? ['crash-restart postgres'] : [])];
    for (let n = 0; Date.now() + EVERY_S * 1000 < stopAt; n++) {
      await sleep(EVERY_S * 1000);
      const kind = kinds[n % kinds.length];
      phase(`fault ${n + 1}: ${kind}`);
      if (kind === 'kill app') await apps[n % apps.length].kill();
      else if (kind === 'restart redis') {
        await redis.stop();
        await sleep(1000);
        await redis.start();
      } else execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', cluster!, 'main', 'restart', '-m', 'immediate'], { stdio: 'ignore' });
      faults[kind] = (faults[kind] ?? 0) + 1;
    }
  };
  phase(`workload: ${CLIENTS} clients for ${DURATION_S} s, a fault every ${EVERY_S} s`);
  await Promise.all([injector(), ...Array.from({ length: CLIENTS }, worker)]);

  phase('settling unknown answers by their keys');
  for (const s of sent.filter((x) => x.key && (x.status === 0 || x.code === '1006'))) {
    const res = await call('POST', s.path, s.body, { 'X-Idempotency': s.key! });
    sent.push({ ...s, status: res.status, code: res.json?.code, id: res.json?.id });
  }

  phase('checking the books');
  const db = new Client({ connectionString: DB });
  await db.connect();
  const rows = (await db.query<{ id: string; key: string | null; status: string }>(`SELECT id, idempotency_key AS key, status_code AS status FROM transactions WHERE ledger_id = $1`, [ledger.id])).rows;
  await db.end();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const perKey = new Map<string, number>();
  for (const r of rows) if (r.key) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
  const violations: string[] = [];
  for (const s of sent) {
    if (s.kind === 'commit' || s.kind === 'cancel') {
      const hold = byId.get(s.holdId!)?.status;
      if (s.status === 200 && hold !== (s.kind === 'commit' ? 'APPROVED' : 'CANCELED')) violations.push(`${s.kind} of ${s.holdId} answered 200, the hold is ${hold}`);
      continue;
    }
    if (s.status >= 200 && s.status < 300 && !byId.has(s.id!)) violations.push(`${s.kind} ${s.id} answered ${s.status}, not in the books`);
    if (s.code === '1003' && perKey.has(s.key!)) violations.push(`${s.kind} ${s.key} answered 1003 (not applied), but is in the books`);
    if ((perKey.get(s.key!) ?? 0) > 1) violations.push(`${s.kind} ${s.key} applied ${perKey.get(s.key!)} times`);
  }
  const books = await checkBooks(DB);
  if (!booksClean(books)) violations.push(`books: ${JSON.stringify(books)}`);
  violations.push(...(await checkHolds(DB)).map((h) => `holds: ${h}`));

  for (const app of apps) await app.stop();
  await redis.stop();

  const tally: Record<string, number> = {};
  for (const s of sent) {
    const k = s.status === 0 ? 'no answer' : `${s.status}${s.code ? ` ${s.code}` : ''}`;
    tally[k] = (tally[k] ?? 0) + 1;
  }
  const exits = apps.reduce((n, a) => n + a.unexpectedExits, 0);
  const unique = [...new Set(violations)];
  console.log(`answers: ${JSON.stringify(tally)}`);
  console.log(`faults survived: ${JSON.stringify(faults)}${cluster ? '' : ' (Postgres restarts skipped)'}`);
  console.log(`process exits: ${exits}`);
  console.log(`violations: ${unique.length}`);
  for (const v of unique.slice(0, 20)) console.log(`  ${v}`);
  process.exit(unique.length > 0 || exits > 0 ? 1 : 0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
