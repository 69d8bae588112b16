import type Redis from 'ioredis';
import { Client } from 'pg';
import { expectError } from './support/api';
import { startApp, TestApp } from './support/app';
import { sql } from './support/postings';
import {
  corruptBalance,
  ledgerReport,
  QUIET_JOBS,
  redisClient,
  runReconciliation,
  smallLedger,
  waitForRun,
} from './support/reconciliation';
import { TEST_DATABASE_URL } from './support/test-env';
import { RUN_LOCK_KEYS } from '../src/modules/reconciliation/reconciliation-run.repository';

/** The reconciliation HTTP API: runs, refusals, status, reports, the HTML view and retention. */
let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  t = await startApp(QUIET_JOBS);
  redis = redisClient();
});
afterAll(async () => {
  await t.close();
  redis.disconnect();
});

/** Holds the runs' advisory lock from another session, as a run on another instance would. */
async function holdRunLock(): Promise<Client> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`SELECT pg_advisory_lock($1, $2)`, [...RUN_LOCK_KEYS]);
  return c;
}

describe('POST /v1/reconciliation/runs', () => {
  it('answers 202 with the run id at once; the report then finishes with per-check durations, counts and a delta', async () => {
    const previous = await runReconciliation(t.api);
    const res = await t.api.post('/v1/reconciliation/runs?full=true');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ state: 'RUNNING', trigger: 'api', mode: 'full', modeReason: 'requested', since: null });
    expect(res.body.links).toEqual({ self: `/v1/reconciliation/reports/${res.body.id}`, html: `/v1/reconciliation/reports/${res.body.id}/html` });

    const report = await waitForRun(t.api, res.body.id);
    expect(report.state).toBe('FINISHED');
    expect(['HEALTHY', 'WARNING', 'CRITICAL']).toContain(report.status);
    expect(report.previousRunId).toBe(previous);
    expect(new Date(report.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(report.startedAt).getTime());
    expect(report.checks.map((c: any) => c.name)).toEqual([
      'conservation', 'double-entry', 'balance-fold', 'non-negative', 'operation-chain', 'balance-version',
      'hold-completeness', 'body-legs', 'operation-account', 'deleted-balance', 'orphan-transactions', 'dangling-operations',
      'idempotency-orphans', 'stale-pending', 'pending-lists', 'cache-drift',
    ]);
    for (const c of report.checks) {
      expect(c).toEqual(expect.objectContaining({ durationMs: expect.any(Number), scanned: expect.any(Number), issues: expect.any(Number) }));
    }
    expect(report.delta).toMatchObject({ previousRunId: previous, status: { current: report.status } });
    expect(report.delta.checks).toHaveLength(16);
  });

  it('is refused with 429 (1100) while a run holds the lock on another instance', async () => {
    const lock = await holdRunLock();
    try {
      expectError(await t.api.post('/v1/reconciliation/runs'), 429, '1100');
    } finally {
      await lock.end();
    }
    expect((await t.api.post('/v1/reconciliation/runs')).status).toBe(202);
  });

  it('never runs two at once: of simultaneous requests to two instances, the others are refused and runs do not overlap', async () => {
    const other = await startApp(QUIET_JOBS);
    try {
      await runReconciliation(t.api); // nothing in progress
      const answers = await Promise.all(Array.from({ length: 6 }, (_, i) => (i % 2 ? other : t).api.post('/v1/reconciliation/runs')));
      const accepted = answers.filter((r) => r.status === 202);
      expect(accepted.length).toBeGreaterThanOrEqual(1);
      expect(answers.some((r) => r.status === 429 && r.body.code === '1100')).toBe(true);
      expect(answers.every((r) => r.status === 202 || (r.status === 429 && r.body.code === '1100'))).toBe(true);
      const runs = await Promise.all(accepted.map((r) => waitForRun(t.api, r.body.id)));
      const spans = runs.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt)]).sort((a, b) => a[0] - b[0]);
      for (let i = 1; i < spans.length; i++) expect(spans[i][0]).toBeGreaterThanOrEqual(spans[i - 1][1]);
    } finally {
      await other.close();
    }
  });

  it('is refused with 429 (1101) within the cool-down after the previous run', async () => {
    const cooled = await startApp({ ...QUIET_JOBS, RECONCILIATION_COOLDOWN_MS: '60000' });
    try {
      await runReconciliation(t.api);
      const body = expectError(await cooled.api.post('/v1/reconciliation/runs'), 429, '1101');
      expect(body.retryAfterSeconds).toBeGreaterThan(0);
      expect(body.retryAfterSeconds).toBeLessThanOrEqual(60);
    } finally {
      await cooled.close();
    }
  });

  it('refuses an invalid full flag and unknown parameters with 400', async () => {
    expectError(await t.api.post('/v1/reconciliation/runs?full=yes'), 400);
    expectError(await t.api.post('/v1/reconciliation/runs?fast=true'), 400);
  });
});

describe('GET /v1/reconciliation/status', () => {
  it('is 503 (1102) with the status while the latest run is CRITICAL, and 200 again once a run is not', async () => {
    const ctx = await smallLedger(t.api);
    const { repair } = await corruptBalance(ctx, redis);
    let critical: string;
    try {
      critical = await runReconciliation(t.api);
      const res = await t.api.get('/v1/reconciliation/status');
      const body = expectError(res, 503, '1102');
      expect(body).toMatchObject({ status: 'CRITICAL', lastRun: { id: critical, status: 'CRITICAL', state: 'FINISHED' }, running: null });
    } finally {
      await repair();
    }
    const healed = await runReconciliation(t.api);
    const res = await t.api.get('/v1/reconciliation/status');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ lastRun: { id: healed, previousStatus: 'CRITICAL', statusChanged: true } });
    expect(['HEALTHY', 'WARNING']).toContain(res.body.status);
  });

  it('shows the run in progress', async () => {
    const lock = await holdRunLock();
    const id = '01900000-0000-7000-8000-000000000001';
    // A RUNNING row whose lock is held, as another instance's run in progress looks.
    await sql(`INSERT INTO reconciliation_runs (id, trigger, mode, mode_reason, state) VALUES ($1, 'schedule', 'full', 'test', 'RUNNING')`, [id]);
    try {
      const res = await t.api.get('/v1/reconciliation/status');
      expect([200, 503]).toContain(res.status);
      expect(res.body.running).toMatchObject({ id, trigger: 'schedule', mode: 'full' });
    } finally {
      await lock.end();
    }
    // The next run finds that row's holder gone and marks it ABANDONED.
    await runReconciliation(t.api);
    const [row] = await sql(`SELECT state FROM reconciliation_runs WHERE id = $1`, [id]);
    expect(row.state).toBe('ABANDONED');
    expect((await t.api.get('/v1/reconciliation/status')).body.running).toBeNull();
  });
});

describe('reports', () => {
  it('lists reports newest first, page by page', async () => {
    for (let i = 0; i < 3; i++) await runReconciliation(t.api);
    const first = await t.api.get('/v1/reconciliation/reports?limit=2');
    const second = await t.api.get('/v1/reconciliation/reports?limit=2&page=2');
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, limit: 2 });
    expect(second.body).toMatchObject({ page: 2, limit: 2 });
    const items = [...first.body.items, ...second.body.items];
    expect(items).toHaveLength(4);
    expect(new Set(items.map((r: any) => r.id)).size).toBe(4);
    const starts = items.map((r: any) => Date.parse(r.startedAt));
    expect([...starts].sort((a, b) => b - a)).toEqual(starts);
    expect(items[0]).toEqual(expect.objectContaining({ state: 'FINISHED', links: expect.any(Object), issues: expect.any(Number) }));
  });

  it('filters by ledger and organization: each report carries that scope\'s status', async () => {
    const broken = await smallLedger(t.api);
    const clean = await smallLedger(t.api);
    const { repair } = await corruptBalance(broken, redis);
    let runId: string;
    try {
      runId = await runReconciliation(t.api, { full: true });
    } finally {
      await repair();
    }
    const find = async (q: string) => (await t.api.get(`/v1/reconciliation/reports?limit=5&${q}`)).body.items.find((r: any) => r.id === runId);
    expect(await find(`ledger_id=${broken.ledger}`)).toMatchObject({ status: 'CRITICAL', issues: 2 });
    expect(await find(`organization_id=${broken.org}`)).toMatchObject({ status: 'CRITICAL', issues: 2 });
    expect(await find(`ledger_id=${clean.ledger}`)).toMatchObject({ status: 'HEALTHY', issues: 0 });
    expect(await find(`organization_id=${broken.org}&ledger_id=${clean.ledger}`)).toMatchObject({ status: 'HEALTHY', issues: 0 });

    const scoped = await ledgerReport(t.api, runId, broken.ledger);
    expect(scoped.ledgers).toEqual([expect.objectContaining({ ledgerId: broken.ledger, organizationId: broken.org, status: 'CRITICAL', issues: 2, checks: { conservation: 1, 'balance-fold': 1 } })]);
    const whole = (await t.api.get(`/v1/reconciliation/reports/${runId}`)).body;
    expect(whole.scope).toBeNull();
    expect(whole.status).toBe('CRITICAL');
    expect(whole.ledgers).toEqual(expect.arrayContaining([expect.objectContaining({ ledgerId: broken.ledger, status: 'CRITICAL' })]));
    expect(whole.ledgers.find((l: any) => l.ledgerId === clean.ledger && l.issues > 0)).toBeUndefined();
  });

  it('refuses bad list parameters with 400', async () => {
    expectError(await t.api.get('/v1/reconciliation/reports?ledger_id=nope'), 400);
    expectError(await t.api.get('/v1/reconciliation/reports?cursor=abc'), 400);
    expectError(await t.api.get('/v1/reconciliation/reports?colour=red'), 400);
    expectError(await t.api.get('/v1/reconciliation/reports?limit=1000'), 400, '0080');
  });

  it('latest is the newest finished report (scoped on request)', async () => {
    const ctx = await smallLedger(t.api);
    const id = await runReconciliation(t.api);
    const latest = await t.api.get('/v1/reconciliation/reports/latest');
    expect(latest.status).toBe(200);
    expect(latest.body.id).toBe(id);
    const scoped = await t.api.get(`/v1/reconciliation/reports/latest?ledger_id=${ctx.ledger}`);
    expect(scoped.body).toMatchObject({ id, scope: { ledgerId: ctx.ledger } });
  });

  it('a report that does not exist is a 404, an id that is not a UUID a 400', async () => {
    expectError(await t.api.get('/v1/reconciliation/reports/01900000-0000-7000-8000-00000000ffff'), 404, '0007');
    expectError(await t.api.get('/v1/reconciliation/reports/42'), 400);
    expectError(await t.api.get('/v1/reconciliation/reports/01900000-0000-7000-8000-00000000ffff/html'), 404, '0007');
  });

  it('the HTML view shows the status, each check and the samples of a failing one', async () => {
    const ctx = await smallLedger(t.api);
    const { balanceId, repair } = await corruptBalance(ctx, redis);
    let runId: string;
    try {
      runId = await runReconciliation(t.api, { full: true });
    } finally {
      await repair();
    }
    const res = await fetch(`${t.url}/v1/reconciliation/reports/${runId}/html?ledger_id=${ctx.ledger}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain('<b>CRITICAL</b>');
    expect(html).toContain('A money invariant is broken');
    for (const name of ['balance-fold', 'conservation', 'cache-drift', 'operation-chain']) expect(html).toContain(name);
    expect(html).toContain(balanceId);
    expect(html).toContain(ctx.ledger);
    expect(html).not.toMatch(/<script/i);
  });

  it('reports older than the retention are deleted by the next run', async () => {
    const kept = await startApp({ ...QUIET_JOBS, RECONCILIATION_RETENTION_DAYS: '1' });
    const old = '01900000-0000-7000-8000-0000000000aa';
    await sql(
      `INSERT INTO reconciliation_runs (id, trigger, mode, mode_reason, state, status, started_at, finished_at)
       VALUES ($1, 'api', 'full', 'test', 'FINISHED', 'HEALTHY', now() - interval '2 days', now() - interval '2 days')`,
      [old],
    );
    try {
      await runReconciliation(kept.api);
      expect(await sql(`SELECT id FROM reconciliation_runs WHERE id = $1`, [old])).toEqual([]);
    } finally {
      await kept.close();
    }
  });
});

describe('documentation', () => {
  it('documents every reconciliation route in the OpenAPI spec', async () => {
    const spec = (await t.api.get('/docs-json')).body;
    const routes: Array<[string, string, string[]]> = [
      ['/v1/reconciliation/runs', 'post', ['202', '429']],
      ['/v1/reconciliation/status', 'get', ['200', '503']],
      ['/v1/reconciliation/reports', 'get', ['200', '400']],
      ['/v1/reconciliation/reports/latest', 'get', ['200', '404']],
      ['/v1/reconciliation/reports/{report_id}', 'get', ['200', '404']],
      ['/v1/reconciliation/reports/{report_id}/html', 'get', ['200', '404']],
    ];
    for (const [path, method, statuses] of routes) {
      const op = spec.paths[path]?.[method];
      expect({ path, summary: typeof op?.summary }).toEqual({ path, summary: 'string' });
      for (const s of statuses) expect({ path, status: s, documented: op.responses[s] !== undefined }).toEqual({ path, status: s, documented: true });
    }
  });
});
