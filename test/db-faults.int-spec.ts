import { randomUUID } from 'crypto';
import { Client } from 'pg';
import { CLEAN_BOOKS, checkBooks } from '../bench/books-check';
import { ApiResponse } from './support/api';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { checkHolds } from './support/holds-check';
import { balanceOf, fund, prng, sleep, sql, transferBody } from './support/postings';
import { QUIET_JOBS, waitForRun } from './support/reconciliation';
import { withTableLocked } from './support/table-lock';
import { TcpProxy } from './support/tcp-proxy';
import { TEST_DATABASE_URL } from './support/test-env';

// ---------------------------------------------------------------------------------------------
// G11: Postgres faults while connections are checked out and busy. The process stays up, every
// 2xx is in the books, a 503 "not applied" (1003) never hides a posting that is, an unknown
// outcome (1006) settles exactly once when resent with its key, and the books stay exact.
// ---------------------------------------------------------------------------------------------

jest.setTimeout(180_000);

const APP = { ...QUIET_JOBS, DB_POOL_SIZE: '4' };

/** The app's backends in the test database, in the given states (all when none is given). */
async function terminateAppBackends(admin: Client, states: string[] | null): Promise<number> {
  const { rows } = await admin.query<{ n: string }>(
    `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'ledger-service' AND pid <> pg_backend_pid()
        AND ($1::text[] IS NULL OR state = ANY($1::text[]))`,
    [states],
  );
  return Number(rows[0].n);
}

async function adminClient(): Promise<Client> {
  const c = new Client({ connectionString: TEST_DATABASE_URL, application_name: 'test-faults' });
  await c.connect();
  return c;
}

async function readyAgain(t: TestApp): Promise<void> {
  const until = Date.now() + 20_000;
  while (Date.now() < until) {
    if ((await fetch(`${t.url}/health/ready`).catch(() => null))?.status === 200) return;
    await sleep(100);
  }
  throw new Error('readiness did not come back');
}

interface Sent {
  kind: 'transfer' | 'hold' | 'commit' | 'revert';
  key?: string;
  holdId?: string;
  path: string;
  body: unknown;
  res: ApiResponse;
}

describe('backends terminated under load, two instances on one database', () => {
  let a: TestApp;
  let b: TestApp;
  let ctx: LedgerCtx;
  const aliases = Array.from({ length: 6 }, (_, i) => `@fault${i}`);

  beforeAll(async () => {
    a = await startApp(APP);
    b = await startApp(APP);
    ctx = await newLedger(a.api);
    for (const alias of aliases) {
      await newAccount(ctx, alias);
      await fund(ctx, alias, '100000');
    }
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it('stays up; every 2xx is in the books, no 1003 is, each 1006 settles once by its key; books exact', async () => {
    const rnd = prng(1306);
    const sent: Sent[] = [];
    const approved: string[] = [];
    const holds: string[] = [];
    const stopAt = Date.now() + 6_000;

    const send = async (s: Omit<Sent, 'res'>): Promise<Sent> => {
      const app = rnd() < 0.5 ? a : b;
      const headers = s.key ? { 'X-Idempotency': s.key } : undefined;
      const res = await app.api.post(s.path, s.body, headers);
      const done = { ...s, res };
      sent.push(done);
      return done;
    };
    const pick = () => aliases[Math.floor(rnd() * aliases.length)];
    const client = async () => {
      while (Date.now() < stopAt) {
        const r = rnd();
        const from = pick();
        const to = aliases[(aliases.indexOf(from) + 1 + Math.floor(rnd() * (aliases.length - 1))) % aliases.length];
        const value = String(1 + Math.floor(rnd() * 9));
        if (r < 0.55) {
          const s = await send({ kind: 'transfer', key: randomUUID(), path: `${ctx.base}/transactions/json`, body: transferBody(from, to, value) });
          if (s.res.status === 201) approved.push(s.res.body.id);
        } else if (r < 0.8) {
          const s = await send({ kind: 'hold', key: randomUUID(), path: `${ctx.base}/transactions/json`, body: transferBody(from, to, value, { pending: true }) });
          if (s.res.status === 201) holds.push(s.res.body.id);
        } else if (r < 0.92 && holds.length > 0) {
          const holdId = holds.splice(Math.floor(rnd() * holds.length), 1)[0];
          await send({ kind: 'commit', holdId, path: `${ctx.base}/transactions/${holdId}/commit`, body: {} });
        } else if (approved.length > 0) {
          const parent = approved.splice(Math.floor(rnd() * approved.length), 1)[0];
          await send({ kind: 'revert', key: randomUUID(), path: `${ctx.base}/transactions/${parent}/revert`, body: {} });
        }
      }
    };

    // Terminations at every stage: idle connections (before BEGIN), idle in a transaction
    // (between the batch's statements), active ones (in a statement or at COMMIT), or all.
    const admin = await adminClient();
    let terminated = 0;
    const stages = [null, ['idle'], ['idle in transaction'], ['active']];
    const terminator = async () => {
      while (Date.now() < stopAt) {
        await sleep(40 + Math.floor(rnd() * 160));
        terminated += await terminateAppBackends(admin, stages[Math.floor(rnd() * stages.length)]);
      }
    };
    await Promise.all([terminator(), ...Array.from({ length: 16 }, client)]);
    await admin.end();
    await readyAgain(a);
    await readyAgain(b);

    // The process is up, and the faults did happen.
    expect((await fetch(`${a.url}/health`)).status).toBe(200);
    const statuses = sent.map((s) => `${s.res.status}${s.res.status >= 500 ? `:${s.res.body?.code}` : ''}`);
    const tally: Record<string, number> = {};
    for (const s of statuses) tally[s] = (tally[s] ?? 0) + 1;
    console.log(`faults: ${terminated} backends terminated; answers ${JSON.stringify(tally)}`);
    expect(terminated).toBeGreaterThan(10);
    const unexpected = statuses.filter((s) => !/^(200|201|503:1003|503:1006)$/.test(s));
    expect(unexpected).toEqual([]);
    expect(sent.filter((s) => s.res.status < 300).length).toBeGreaterThan(50);

    // Resend every unknown outcome with its key (commits have none: a second commit of an
    // applied one is refused as NOT_PENDING, which tells the outcome as well).
    const settled: Sent[] = [];
    for (const s of sent.filter((x) => x.res.status === 503 && x.res.body.code === '1006')) {
      const res = await a.api.post(s.path, s.body, s.key ? { 'X-Idempotency': s.key } : undefined);
      if (s.kind === 'commit') expect([200, 409]).toContain(res.status);
      else expect([200, 201]).toContain(res.status);
      settled.push({ ...s, res });
    }

    const rows = await sql<{ id: string; key: string | null; status: string }>(
      `SELECT id, idempotency_key AS key, status_code AS status FROM transactions WHERE ledger_id = $1`,
      [ctx.ledger],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const perKey = new Map<string, number>();
    for (const r of rows) if (r.key) perKey.set(r.key, (perKey.get(r.key) ?? 0) + 1);
    const problems: string[] = [];
    for (const s of [...sent, ...settled]) {
      const { status, body } = s.res;
      if (s.kind !== 'commit') {
        if (status < 300 && !byId.has(body.id)) problems.push(`${s.kind} ${body.id} answered ${status} but is not in the books`);
        if (status === 503 && body.code === '1003' && perKey.has(s.key!)) problems.push(`${s.kind} ${s.key} answered 1003 but is in the books`);
        if ((perKey.get(s.key!) ?? 0) > 1) problems.push(`${s.kind} ${s.key} applied ${perKey.get(s.key!)} times`);
      } else {
        const hold = byId.get(s.holdId!)!.status;
        if (status === 200 && hold !== 'APPROVED') problems.push(`commit of ${s.holdId} answered 200 but the hold is ${hold}`);
        if (status === 503 && body.code === '1003' && hold !== 'PENDING') problems.push(`commit of ${s.holdId} answered 1003 but the hold is ${hold}`);
      }
    }
    expect([...new Set(problems)]).toEqual([]);
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
    expect(await checkHolds(TEST_DATABASE_URL)).toEqual([]);
  });
});

describe('the reply to COMMIT is lost', () => {
  const target = new URL(TEST_DATABASE_URL);
  const proxy = new TcpProxy(target.hostname, Number(target.port || 5432));
  let t: TestApp;
  let ctx: LedgerCtx;

  beforeAll(async () => {
    await proxy.start();
    const viaProxy = new URL(TEST_DATABASE_URL);
    viaProxy.port = String(proxy.port);
    // A long batch wait, so concurrent postings share one batch (and one COMMIT).
    t = await startApp({ ...APP, DATABASE_URL: viaProxy.toString(), POSTING_BATCH_WAIT_MS: '100' });
    ctx = await newLedger(t.api);
    await newAccount(ctx, '@lost-a');
    await newAccount(ctx, '@lost-b');
    await fund(ctx, '@lost-a', '1000');
  });
  afterAll(async () => {
    await t?.close();
    await proxy.stop();
  });

  it('answers each caller of a committed batch with its 2xx', async () => {
    proxy.failCommits('lose-reply');
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => t.api.post(`${ctx.base}/transactions/json`, transferBody('@lost-a', '@lost-b', '1'))),
    );
    expect(proxy.pendingCommitFaults).toBe(0);
    expect(answers.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect((await balanceOf(ctx, '@lost-b')).available).toBe('8');
    const ids = answers.map((r) => r.body.id);
    expect(await sql(`SELECT id FROM transactions WHERE id = ANY($1)`, [ids])).toHaveLength(8);
  });

  it('answers a hold commit whose COMMIT reply was lost with 200, and the hold is APPROVED', async () => {
    const hold = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@lost-a', '@lost-b', '5', { pending: true }));
    expect(hold.status).toBe(201);
    proxy.failCommits('lose-reply');
    const committed = await t.api.post(`${ctx.base}/transactions/${hold.body.id}/commit`);
    expect(proxy.pendingCommitFaults).toBe(0);
    expect(committed.status).toBe(200);
    expect(committed.body.status.code).toBe('APPROVED');
    expect((await t.api.get(`${ctx.base}/transactions/${hold.body.id}`)).body.status.code).toBe('APPROVED');
  });

  it('answers 503 1003 with Retry-After when the COMMIT never arrived; a plain resend applies it once', async () => {
    const before = (await balanceOf(ctx, '@lost-b')).available;
    proxy.failCommits('lose-request');
    const lost = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@lost-a', '@lost-b', '2'));
    expect(proxy.pendingCommitFaults).toBe(0);
    expect(lost.status).toBe(503);
    expect(lost.body.code).toBe('1003');
    expect(lost.headers.get('retry-after')).toBe('1');
    expect((await balanceOf(ctx, '@lost-b')).available).toBe(before);
    const resent = await t.api.post(`${ctx.base}/transactions/json`, transferBody('@lost-a', '@lost-b', '2'));
    expect(resent.status).toBe(201);
    expect((await balanceOf(ctx, '@lost-b')).available).toBe(String(Number(before) + 2));
    expect(await checkBooks(TEST_DATABASE_URL)).toEqual(CLEAN_BOOKS);
  });
});

describe('a reconciliation run whose connection is terminated', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp(APP);
    const ctx = await newLedger(t.api);
    await newAccount(ctx, '@recon-fault');
    await fund(ctx, '@recon-fault', '10');
  });
  afterAll(() => t?.close());

  it('ends FAILED (not RUNNING), the process stays up and the next run works', async () => {
    const admin = await adminClient();
    try {
      const failed = await withTableLocked('operations', async () => {
        const started = await t.api.post('/v1/reconciliation/runs?full=true');
        expect(started.status).toBe(202);
        // The run's connection waits on the lock in one of its checks: terminate it there.
        let n = 0;
        for (let i = 0; i < 100 && n === 0; i++) {
          await sleep(50);
          n = await terminateAppBackends(admin, ['active']);
        }
        expect(n).toBeGreaterThan(0);
        return waitForRun(t.api, started.body.id, 20_000);
      });
      expect(failed.state).toBe('FAILED');
      expect((await fetch(`${t.url}/health`)).status).toBe(200);
      const next = await t.api.post('/v1/reconciliation/runs?full=true');
      expect(next.status).toBe(202);
      const report = await waitForRun(t.api, next.body.id, 30_000);
      expect(report.state).toBe('FINISHED');
    } finally {
      await admin.end();
    }
  });
});
