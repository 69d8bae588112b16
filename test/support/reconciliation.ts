import Redis from 'ioredis';
import { balanceCacheKeyPrefix } from '../../src/modules/balance/cache/balance-cache.entry';
import { Api } from './api';
import { LedgerCtx, newAccount, newLedger } from './factories';
import { fund, sleep, sql, transfer } from './postings';
import { TEST_REDIS_URL } from './test-env';

/** Helpers for reconciliation tests: trigger runs over HTTP, read scoped reports, touch the cache. */

/** App settings for reconciliation tests: no background job races the test's own runs. */
export const QUIET_JOBS = {
  AUTH_DISABLED: 'true',
  RECONCILIATION_COOLDOWN_MS: '0',
  RECONCILIATION_INTERVAL_MS: '86400000',
  PENDING_EXPIRY_INTERVAL_MS: '86400000',
  BALANCE_CACHE_SYNC_INTERVAL_MS: '86400000',
};

export interface RunOptions {
  full?: boolean;
  /** Give up waiting for a run in progress elsewhere after this long. */
  timeoutMs?: number;
}

/** POST /v1/reconciliation/runs (waiting out a run in progress), then polls until it has finished; returns the run id. */
export async function runReconciliation(api: Api, opts: RunOptions = {}): Promise<string> {
  const until = Date.now() + (opts.timeoutMs ?? 30_000);
  let id: string | undefined;
  while (!id) {
    const res = await api.post(`/v1/reconciliation/runs${opts.full ? '?full=true' : ''}`);
    if (res.status === 202) id = res.body.id;
    else if (res.status === 429 && Date.now() < until) await sleep(100);
    else throw new Error(`POST /v1/reconciliation/runs: ${res.status} ${JSON.stringify(res.body)}`);
  }
  await waitForRun(api, id, until - Date.now());
  return id;
}

export async function waitForRun(api: Api, id: string, timeoutMs = 30_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const res = await api.get(`/v1/reconciliation/reports/${id}`);
    if (res.status !== 200) throw new Error(`GET report ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    if (res.body.state !== 'RUNNING') return res.body;
    if (Date.now() > until) throw new Error(`run ${id} still RUNNING after ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** The report of a run restricted to one ledger. */
export async function ledgerReport(api: Api, runId: string, ledgerId: string): Promise<any> {
  const res = await api.get(`/v1/reconciliation/reports/${runId}?ledger_id=${ledgerId}`);
  if (res.status !== 200) throw new Error(`GET report ${runId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** "check:STATUS" for each check that found something (sorted), e.g. ["conservation:CRITICAL"]. */
export function problems(report: { checks: Array<{ name: string; status: string }> }): string[] {
  return report.checks
    .filter((c) => c.status !== 'OK')
    .map((c) => `${c.name}:${c.status}`)
    .sort();
}

export function checkOf(report: { checks: any[] }, name: string): any {
  const c = report.checks.find((x) => x.name === name);
  if (!c) throw new Error(`no check ${name} in the report`);
  return c;
}

/** Every id a check's samples mention (sample ids and the ids in their details). */
export function sampledIds(check: { samples: Array<Record<string, unknown>> }): string[] {
  return check.samples.flatMap((s) => [s.id, s.transactionId, s.balanceId].filter((v): v is string => typeof v === 'string'));
}

export function redisClient(): Redis {
  return new Redis(TEST_REDIS_URL, { maxRetriesPerRequest: 1 });
}

/** Deletes every cached balance of a ledger (missing entries are normal: G8). */
export async function evictLedgerCache(redis: Redis, ledgerId: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${balanceCacheKeyPrefix(ledgerId)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length) removed += await redis.del(...keys);
  } while (cursor !== '0');
  return removed;
}

/** Test setup: a fresh ledger with @a funded 100 and a transfer of 10 to @b. */
export async function smallLedger(api: Api): Promise<LedgerCtx> {
  const ctx = await newLedger(api);
  await newAccount(ctx, '@a');
  await newAccount(ctx, '@b');
  await fund(ctx, '@a', '100');
  await transfer(ctx, '@a', '@b', '10');
  return ctx;
}

/**
 * Breaks a money invariant of the ledger (its @b balance 5 more than its operations say) and
 * returns the repair. The balance's cached copy is evicted so only Postgres differs.
 */
export async function corruptBalance(ctx: LedgerCtx, redis: Redis): Promise<{ balanceId: string; repair: () => Promise<void> }> {
  await evictLedgerCache(redis, ctx.ledger);
  const [b] = await sql(`UPDATE balances SET available = available + 5 WHERE ledger_id = $1 AND alias = '@b' RETURNING id`, [ctx.ledger]);
  return { balanceId: b.id, repair: async () => void (await sql(`UPDATE balances SET available = available - 5 WHERE id = $1`, [b.id])) };
}
