import { ReconciliationRunner } from '../src/modules/reconciliation/reconciliation.runner';
import { startApp, TestApp } from './support/app';
import { LedgerCtx, newAccount, newLedger } from './support/factories';
import { fund, inflowBody, prng, sleep, transferBody } from './support/postings';
import { ledgerReport, problems, QUIET_JOBS, runReconciliation } from './support/reconciliation';

jest.setTimeout(120_000);

/** Reconciliation reads one snapshot: postings committing during a run never show up as issues. */
let t: TestApp;
beforeAll(async () => {
  t = await startApp({ ...QUIET_JOBS, RECONCILIATION_CHECKPOINT_OVERLAP_MS: '0' });
});
afterAll(() => t.close());

const ACCOUNTS = Array.from({ length: 8 }, (_, i) => `@w${i}`);

async function busyLedger(): Promise<LedgerCtx> {
  const ctx = await newLedger(t.api);
  for (const a of ACCOUNTS) {
    await newAccount(ctx, a);
    await fund(ctx, a, '100000');
  }
  return ctx;
}

/** Postings from `workers` loops until stopped: transfers, inflows, holds committed or canceled. */
function postUntilStopped(ctx: LedgerCtx, workers: number) {
  let stop = false;
  let posted = 0;
  let failed = 0;
  const rnd = prng(6);
  const pick = () => ACCOUNTS[Math.floor(rnd() * ACCOUNTS.length)];
  const other = (a: string) => ACCOUNTS[(ACCOUNTS.indexOf(a) + 1 + Math.floor(rnd() * (ACCOUNTS.length - 1))) % ACCOUNTS.length];
  const loop = async () => {
    while (!stop) {
      const from = pick();
      const to = other(from);
      const value = `${1 + Math.floor(rnd() * 50)}.${Math.floor(rnd() * 100)}`;
      const dice = rnd();
      let ok: boolean;
      if (dice < 0.6) ok = (await t.api.post(`${ctx.base}/transactions/json`, transferBody(from, to, value))).status === 201;
      else if (dice < 0.7) ok = (await t.api.post(`${ctx.base}/transactions/inflow`, inflowBody(to, value))).status === 201;
      else {
        const held = await t.api.post(`${ctx.base}/transactions/json`, { ...transferBody(from, to, value), pending: true });
        const action = dice < 0.85 ? 'commit' : 'cancel';
        ok = held.status === 201 && (await t.api.post(`${ctx.base}/transactions/${held.body.id}/${action}`)).status === 200;
      }
      if (ok) posted++;
      else failed++;
    }
  };
  const running = Promise.all(Array.from({ length: workers }, loop));
  return {
    posted: () => posted,
    stop: async () => {
      stop = true;
      await running;
      return { posted, failed };
    },
  };
}

it('runs made while postings continue report no issue for the busy ledger, full or incremental', async () => {
  const ctx = await busyLedger();
  await runReconciliation(t.api, { full: true }); // a checkpoint for the incremental runs
  const load = postUntilStopped(ctx, 6);
  const runs: Array<{ id: string; postedBefore: number; postedAfter: number }> = [];
  try {
    await sleep(300);
    for (let i = 0; i < 8; i++) {
      const postedBefore = load.posted();
      let id: string;
      if (i % 2 === 0) {
        id = await runReconciliation(t.api, { full: true });
      } else {
        const run = await t.app.get(ReconciliationRunner).start({ trigger: 'api', mode: 'incremental' });
        await run.done;
        id = run.id;
      }
      runs.push({ id, postedBefore, postedAfter: load.posted() });
    }
  } finally {
    const { posted, failed } = await load.stop();
    expect(failed).toBe(0);
    expect(posted).toBeGreaterThan(50);
  }
  runs.push({ id: await runReconciliation(t.api, { full: true }), postedBefore: 0, postedAfter: 0 });

  // Postings really overlapped the runs.
  expect(runs.filter((r) => r.postedAfter > r.postedBefore).length).toBeGreaterThanOrEqual(4);
  for (const r of runs) {
    const report = await ledgerReport(t.api, r.id, ctx.ledger);
    expect({ id: r.id, mode: report.mode, problems: problems(report) }).toEqual({ id: r.id, mode: report.mode, problems: [] });
    expect(report.status).toBe('HEALTHY');
  }
  const modes = await Promise.all(runs.map(async (r) => (await t.api.get(`/v1/reconciliation/reports/${r.id}`)).body.mode));
  expect(modes.filter((m) => m === 'incremental').length).toBe(4);
});
