import { spawn } from 'child_process';
import { createServer, IncomingMessage, Server, ServerResponse } from 'http';
import { join } from 'path';
import { getQueueToken } from '@nestjs/bull';
import type { Queue } from 'bull';
import type Redis from 'ioredis';
import { Client } from 'pg';
import { RECONCILIATION_QUEUE } from '../src/modules/reconciliation/jobs/reconciliation-job.constants';
import { ReconciliationJobProcessor } from '../src/modules/reconciliation/jobs/reconciliation-job.processor';
import { RUN_LOCK_KEYS } from '../src/modules/reconciliation/reconciliation-run.repository';
import { ReconciliationRunner } from '../src/modules/reconciliation/reconciliation.runner';
import { startApp, TestApp } from './support/app';
import { withTableLocked } from './support/table-lock';
import { sleep, sql } from './support/postings';
import {
  checkOf,
  corruptBalance,
  ledgerReport,
  problems,
  QUIET_JOBS,
  redisClient,
  runReconciliation,
  smallLedger,
  waitForRun,
} from './support/reconciliation';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './support/test-env';

/** Incremental and full runs, alerts on a transition to CRITICAL, the scheduled job and the CLI. */
let t: TestApp;
let redis: Redis;
beforeAll(async () => {
  t = await startApp({ ...QUIET_JOBS, RECONCILIATION_CHECKPOINT_OVERLAP_MS: '0' });
  redis = redisClient();
});
afterAll(async () => {
  await t.close();
  redis.disconnect();
});

async function holdRunLock(): Promise<Client> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`SELECT pg_advisory_lock($1, $2)`, [...RUN_LOCK_KEYS]);
  return c;
}

/** A run forced to be incremental (the API decides the mode itself). */
async function incrementalRun(app: TestApp = t): Promise<any> {
  const run = await app.app.get(ReconciliationRunner).start({ trigger: 'api', mode: 'incremental' });
  await run.done;
  return (await app.api.get(`/v1/reconciliation/reports/${run.id}`)).body;
}

describe('incremental runs', () => {
  it('verify only what changed since the checkpoint left by the previous run', async () => {
    await smallLedger(t.api); // some history: 3 balances per ledger
    await smallLedger(t.api);
    const full = (await t.api.get(`/v1/reconciliation/reports/${await runReconciliation(t.api, { full: true })}`)).body;
    const ctx = await smallLedger(t.api); // changes: @a, @b and @external/USD of a new ledger
    const report = await incrementalRun();
    expect(report).toMatchObject({ mode: 'incremental', since: full.checkpointTo });
    const fullFold = checkOf(full, 'balance-fold').scanned;
    expect(checkOf(report, 'balance-fold').scanned).toBe(3);
    expect(fullFold).toBeGreaterThanOrEqual(6);
    expect(checkOf(report, 'double-entry').scanned).toBe(2); // the inflow and the transfer
    expect(checkOf(report, 'operation-chain').scanned).toBe(4);
    expect(checkOf(report, 'conservation').scanned).toBe(1);
    expect((await ledgerReport(t.api, report.id, ctx.ledger)).status).toBe('HEALTHY');
  });

  it('find a balance changed since the checkpoint that no longer matches its last operation', async () => {
    await runReconciliation(t.api, { full: true });
    const ctx = await smallLedger(t.api);
    const { balanceId, repair } = await corruptBalance(ctx, redis);
    await sql(`UPDATE balances SET updated_at = now() WHERE id = $1`, [balanceId]);
    try {
      const report = await incrementalRun();
      const scoped = await ledgerReport(t.api, report.id, ctx.ledger);
      expect(problems(scoped)).toEqual(['balance-fold:CRITICAL', 'conservation:CRITICAL']);
      expect(checkOf(scoped, 'balance-fold').samples[0]).toMatchObject({
        id: balanceId,
        basis: 'after-state of its last operation (version 1)',
        expected: { available: '10' },
        actual: { available: '15' },
      });
    } finally {
      await repair();
    }
  });

  it('after a CRITICAL run, the next run is a full pass', async () => {
    const ctx = await smallLedger(t.api);
    const { repair } = await corruptBalance(ctx, redis);
    try {
      const critical = (await t.api.get(`/v1/reconciliation/reports/${await runReconciliation(t.api, { full: true })}`)).body;
      expect(critical.status).toBe('CRITICAL');
    } finally {
      await repair();
    }
    const next = (await t.api.get(`/v1/reconciliation/reports/${await runReconciliation(t.api)}`)).body;
    expect(next).toMatchObject({ mode: 'full', modeReason: 'previous run was CRITICAL', previousStatus: 'CRITICAL' });
  });
});

const FAILING_CHECKS = { ...QUIET_JOBS, RECONCILIATION_STATEMENT_TIMEOUT_MS: '200' };

describe('a check that cannot finish', () => {
  it('is reported as ERROR with the reason, makes the run WARNING at least, and leaves the checkpoint where it was', async () => {
    await runReconciliation(t.api, { full: true });
    const [before] = await sql(`SELECT verified_until FROM reconciliation_checkpoint`);
    const slow = await startApp(FAILING_CHECKS);
    try {
      const id = await withTableLocked('balances', () => runReconciliation(slow.api, { full: true }));
      const report = (await slow.api.get(`/v1/reconciliation/reports/${id}`)).body;
      const failed = report.checks.filter((c: any) => c.status === 'ERROR');
      expect(failed.map((c: any) => c.name)).toContain('balance-fold');
      expect(failed[0].note).toContain('statement timeout');
      expect(report.state).toBe('FINISHED');
      expect(['WARNING', 'CRITICAL']).toContain(report.status);
      expect(report.checkpointTo).toBeNull();
      expect(await sql(`SELECT verified_until FROM reconciliation_checkpoint`)).toEqual([before]);
    } finally {
      await slow.close();
    }
  });
});

describe('a check that fails after a CRITICAL run', () => {
  it('keeps the books CRITICAL (last proven status carried) and reports no change for it', async () => {
    const ctx = await smallLedger(t.api);
    const { repair } = await corruptBalance(ctx, redis);
    const slow = await startApp(FAILING_CHECKS);
    try {
      const critical = (await t.api.get(`/v1/reconciliation/reports/${await runReconciliation(t.api, { full: true })}`)).body;
      expect(checkOf(critical, 'balance-fold').status).toBe('CRITICAL');
      // Every check that could see the broken balance now fails: nothing proves it repaired.
      const id = await withTableLocked('balances', () => runReconciliation(slow.api, { full: true }));
      const report = (await slow.api.get(`/v1/reconciliation/reports/${id}`)).body;
      expect(checkOf(report, 'balance-fold')).toMatchObject({ status: 'ERROR', lastProven: 'CRITICAL', issues: 0 });
      expect(report.status).toBe('CRITICAL');
      expect(report.delta.checks.find((c: any) => c.name === 'balance-fold')).toMatchObject({ previous: expect.any(Number), change: null });
    } finally {
      await slow.close();
      await repair();
    }
  });
});

interface Hook {
  server: Server;
  url: string;
  requests: Array<{ body: any; answered: boolean }>;
}

/** A strict fake of the alert receiver: the first delivery hangs (the sender must time out), later ones get 200. */
async function startHook(): Promise<Hook> {
  const hook = { requests: [] as Hook['requests'] } as Hook;
  hook.server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const entry = { body: JSON.parse(raw), answered: false };
      hook.requests.push(entry);
      if (req.method !== 'POST' || req.headers['content-type'] !== 'application/json') {
        res.writeHead(400).end();
      } else if (hook.requests.length > 1) {
        entry.answered = true;
        res.writeHead(200).end('ok');
      } // else: never answered
    });
  });
  await new Promise<void>((r) => hook.server.listen(0, '127.0.0.1', r));
  hook.url = `http://127.0.0.1:${(hook.server.address() as { port: number }).port}/alerts?token=secret`;
  return hook;
}

describe('a transition to CRITICAL', () => {
  it('counts a metric and POSTs the webhook (timeout, then retry) without holding up the run; only once per transition', async () => {
    const hook = await startHook();
    const alerting = await startApp({ ...QUIET_JOBS, RECONCILIATION_WEBHOOK_URL: hook.url, RECONCILIATION_WEBHOOK_TIMEOUT_MS: '700', RECONCILIATION_WEBHOOK_RETRIES: '2' });
    const ctx = await smallLedger(alerting.api);
    let repair: (() => Promise<void>) | undefined;
    try {
      const baseline = await waitForRun(alerting.api, await runReconciliation(alerting.api));
      expect(baseline.status).not.toBe('CRITICAL');
      repair = (await corruptBalance(ctx, redis)).repair;

      const runId = await runReconciliation(alerting.api);
      const report = (await alerting.api.get(`/v1/reconciliation/reports/${runId}`)).body;
      expect(report).toMatchObject({ status: 'CRITICAL', statusChanged: true, previousStatus: baseline.status });
      // The run is stored while the first delivery still hangs.
      expect(hook.requests.length).toBeLessThanOrEqual(1);
      expect(hook.requests.some((r) => r.answered)).toBe(false);

      const until = Date.now() + 10_000;
      while (hook.requests.length < 2 && Date.now() < until) await sleep(50);
      expect(hook.requests).toHaveLength(2);
      expect(hook.requests[1].answered).toBe(true);
      for (const r of hook.requests) {
        expect(r.body).toMatchObject({ event: 'reconciliation.critical', runId, status: 'CRITICAL', previousStatus: baseline.status, report: `/v1/reconciliation/reports/${runId}` });
        expect(r.body.checks).toEqual(expect.arrayContaining([{ name: 'balance-fold', status: 'CRITICAL', issues: 1 }]));
      }
      const metrics = (await alerting.api.get('/metrics')).body as string;
      expect(metrics).toMatch(/^ledger_reconciliation_critical_transitions_total 1$/m);
      expect(metrics).toMatch(/^ledger_reconciliation_status 2$/m);

      // Still CRITICAL: no new alert.
      const again = (await alerting.api.get(`/v1/reconciliation/reports/${await runReconciliation(alerting.api)}`)).body;
      expect(again).toMatchObject({ status: 'CRITICAL', statusChanged: false });
      await sleep(1000);
      expect(hook.requests).toHaveLength(2);
      expect((await alerting.api.get('/metrics')).body).toMatch(/^ledger_reconciliation_critical_transitions_total 1$/m);
    } finally {
      await repair?.();
      await alerting.close();
      hook.server.closeAllConnections();
      hook.server.close();
    }
    await runReconciliation(t.api);
  });
});

describe('the scheduled job', () => {
  it('is registered as a repeatable job with the configured interval', async () => {
    const queue = t.app.get<Queue>(getQueueToken(RECONCILIATION_QUEUE));
    const jobs = await queue.getRepeatableJobs();
    expect(jobs).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'run-reconciliation', every: 86400000 })]));
  });

  it('runs one reconciliation per trigger, recorded as trigger "schedule"', async () => {
    const outcome = await t.app.get(ReconciliationJobProcessor).runScheduled({ id: 'manual' });
    expect(outcome).toMatchObject({ ran: true, status: expect.stringMatching(/^(HEALTHY|WARNING|CRITICAL)$/) });
    const report = (await t.api.get(`/v1/reconciliation/reports/${(outcome as { runId: string }).runId}`)).body;
    expect(report).toMatchObject({ trigger: 'schedule', state: 'FINISHED' });
  });

  it('skips a trigger while a run is in progress on another instance', async () => {
    const lock = await holdRunLock();
    try {
      expect(await t.app.get(ReconciliationJobProcessor).runScheduled({ id: 'manual' })).toEqual({ ran: false, reason: 'in-progress' });
    } finally {
      await lock.end();
    }
  });
});

/** Runs `npm run reconcile`'s entry point (src/reconcile.ts, through ts-node) against the test database. */
function reconcileCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', 'src/reconcile.ts', ...args], {
      cwd: join(__dirname, '..'),
      env: { ...process.env, NODE_ENV: 'test', DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, DB_RUN_MIGRATIONS: 'false', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the CLI (npm run reconcile)', () => {
  it('exits 2 when the books are CRITICAL, printing the report', async () => {
    const ctx = await smallLedger(t.api);
    const { repair } = await corruptBalance(ctx, redis);
    let out: Awaited<ReturnType<typeof reconcileCli>>;
    try {
      out = await reconcileCli(['--json']);
    } finally {
      await repair();
    }
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 2, stderr: '' });
    const printed = JSON.parse(out.stdout);
    expect(printed).toMatchObject({ status: 'CRITICAL' });
    expect((await ledgerReport(t.api, printed.id, ctx.ledger))).toMatchObject({ trigger: 'cli', status: 'CRITICAL' });
  });

  it('exits 0 when the books are not CRITICAL', async () => {
    const out = await reconcileCli(['--full']);
    expect(out.stdout).toMatch(/^reconciliation run [0-9a-f-]{36} \(full\): (HEALTHY|WARNING)/);
    expect(out.stdout).toContain('balance-fold');
    expect(out.code).toBe(0);
  });

  it('exits 3 while another run is in progress', async () => {
    const lock = await holdRunLock();
    try {
      const out = await reconcileCli([]);
      expect(out.code).toBe(3);
      expect(out.stderr).toContain('in progress');
    } finally {
      await lock.end();
    }
  });
});
