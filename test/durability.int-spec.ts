import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { Api } from './support/api';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { balanceOf, fromCents, fund, prng, runPool, sleep, sql, transferBody } from './support/postings';
import { freePort } from './support/servers';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/test-env';

jest.setTimeout(240_000);

const ROOT = join(__dirname, '..');
const START_TIMEOUT_MS = 120_000;

interface Child {
  proc: ChildProcess;
  api: Api;
  output: () => string;
}

/** Starts src/main.ts in its own Node process (transpile-only) and waits until /health answers. */
async function spawnApp(): Promise<Child> {
  const port = await freePort();
  const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      DB_RUN_MIGRATIONS: 'false',
      SWAGGER_ENABLED: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (d) => (out = (out + d).slice(-4000)));
  proc.stderr!.on('data', (d) => (out = (out + d).slice(-4000)));
  const api = new Api(`http://127.0.0.1:${port}`);
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`app exited with ${proc.exitCode} while starting:\n${out}`);
    try {
      if ((await api.get('/health')).status === 200) return { proc, api, output: () => out };
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  proc.kill('SIGKILL');
  throw new Error(`app did not answer /health within ${START_TIMEOUT_MS} ms:\n${out}`);
}

function killHard(child: Child): Promise<void> {
  return new Promise((resolve) => {
    if (child.proc.exitCode !== null || child.proc.signalCode !== null) return resolve();
    child.proc.once('exit', () => resolve());
    child.proc.kill('SIGKILL');
  });
}

interface Sent {
  key: string;
  from: string;
  to: string;
  value: string;
  /** The transaction id when the request was answered 2xx before the kill. */
  ackedId?: string;
}

/**
 * Fires transfers from 32 workers until at least `minAcked` got a 2xx, then SIGKILLs the
 * process while requests are still in flight. Each request carries its own X-Idempotency key.
 */
async function loadUntilKilled(child: Child, ctx: LedgerCtx, aliases: string[], minAcked: number, seed: number) {
  const sent: Sent[] = [];
  let acked = 0;
  let failures = 0;
  let stop = false;
  const rnd = prng(seed);
  const worker = async () => {
    while (!stop) {
      const from = aliases[Math.floor(rnd() * aliases.length)];
      let to = aliases[Math.floor(rnd() * aliases.length)];
      if (to === from) to = aliases[(aliases.indexOf(from) + 1) % aliases.length];
      const s: Sent = { key: `dur-${seed}-${sent.length}`, from, to, value: fromCents(BigInt(1 + Math.floor(rnd() * 5000))) };
      sent.push(s);
      try {
        const res = await child.api.post(`${ctx.base}/transactions/json`, transferBody(s.from, s.to, s.value), { 'X-Idempotency': s.key });
        if (res.status >= 200 && res.status < 300) {
          s.ackedId = res.body.id;
          acked++;
        } else failures++;
      } catch {
        failures++; // connection reset or refused: the process is gone
        await sleep(5);
      }
    }
  };
  const workers = Array.from({ length: 32 }, worker);
  const started = Date.now();
  while (acked < minAcked && Date.now() - started < 60_000) await sleep(20);
  await killHard(child);
  await sleep(300);
  stop = true;
  await Promise.all(workers);
  return { sent, acked, failures };
}

async function fundedLedger(api: Api): Promise<{ ctx: LedgerCtx; aliases: string[] }> {
  const ctx = await newLedger(api);
  const aliases = Array.from({ length: 10 }, (_, i) => `@d${i}`);
  for (const a of aliases) {
    await newAccount(ctx, a);
    await fund(ctx, a, '100000');
  }
  return { ctx, aliases };
}


describe('G1: a 2xx survives SIGKILL of the process', () => {
  const children: Child[] = [];
  afterAll(async () => {
    for (const c of children) await killHard(c);
  });

  it('every acknowledged transaction exists after kill -9 and restart, and the books are clean', async () => {
    const first = await spawnApp();
    children.push(first);
    const { ctx, aliases } = await fundedLedger(first.api);
    const { sent, acked, failures } = await loadUntilKilled(first, ctx, aliases, 300, 2026);
    expect(acked).toBeGreaterThanOrEqual(300);
    expect(failures).toBeGreaterThan(0); // requests were in flight when it died

    const second = await spawnApp();
    children.push(second);
    const missing: string[] = [];
    const wrong: string[] = [];
    await runPool(
      sent
        .filter((s) => s.ackedId)
        .map((s) => async () => {
          const res = await second.api.get(`${ctx.base}/transactions/${s.ackedId}`);
          if (res.status !== 200) missing.push(`${s.ackedId}: ${res.status}`);
          else {
            const debit = res.body.operations.find((o: any) => o.type === 'DEBIT');
            const credit = res.body.operations.find((o: any) => o.type === 'CREDIT');
            const seen = `${res.body.status.code} ${res.body.amount} ${debit?.accountAlias} ${credit?.accountAlias}`;
            const want = `APPROVED ${s.value} ${s.from} ${s.to}`;
            if (seen !== want) wrong.push(`${s.ackedId}: ${seen} != ${want}`);
          }
        }),
      16,
    );
    expect(missing).toEqual([]);
    expect(wrong).toEqual([]);
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);

    // The restarted process serves the ledger exactly as Postgres holds it and keeps posting.
    const d0 = await balanceOf(ctx, '@d0', second.api);
    const [same] = await sql<{ same: boolean }>(
      'SELECT available = $3::numeric AND version = $4 AS same FROM balances WHERE ledger_id = $1 AND alias = $2',
      [ctx.ledger, '@d0', d0.available, d0.version],
    );
    expect(same).toEqual({ same: true });
    const after = await second.api.post(`${ctx.base}/transactions/json`, transferBody('@d0', '@d1', '0.01'));
    expect(after.status).toBe(201);
  });

  it('after kill -9, retrying every request with its idempotency key applies each exactly once', async () => {
    const first = await spawnApp();
    children.push(first);
    const { ctx, aliases } = await fundedLedger(first.api);
    const { sent, acked } = await loadUntilKilled(first, ctx, aliases, 200, 7);
    expect(acked).toBeGreaterThanOrEqual(200);

    const second = await spawnApp();
    children.push(second);
    const problems: string[] = [];
    await runPool(
      sent.map((s) => async () => {
        const res = await second.api.post(`${ctx.base}/transactions/json`, transferBody(s.from, s.to, s.value), { 'X-Idempotency': s.key });
        const replayed = res.headers.get('x-idempotency-replayed') === 'true';
        if (res.status !== 200 && res.status !== 201) problems.push(`${s.key}: ${res.status} ${res.body?.code}`);
        else if (s.ackedId && (res.body.id !== s.ackedId || !replayed)) problems.push(`${s.key}: acked ${s.ackedId}, retry ${res.body.id} replayed=${replayed}`);
      }),
      16,
    );
    expect(problems).toEqual([]);
    const [row] = await sql<{ n: string; keys: string }>(
      `SELECT count(*) AS n, count(DISTINCT idempotency_key) AS keys FROM transactions WHERE ledger_id = $1 AND idempotency_key LIKE 'dur-7-%'`,
      [ctx.ledger],
    );
    expect({ transactions: Number(row.n), keys: Number(row.keys) }).toEqual({ transactions: sent.length, keys: sent.length });
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
  });
});
