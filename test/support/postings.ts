import { Client } from 'pg';
import { Api, ApiResponse } from './api';
import { LedgerCtx, newAccount, newLedger } from './factories';
import { TEST_DATABASE_URL } from './test-env';

/** Helpers for transaction tests: request bodies, balance snapshots and direct SQL counts. */

export const usd = (value: string) => ({ asset: 'USD', value });

export function inflowBody(alias: string, value: string, extra: Record<string, unknown> = {}, asset = 'USD') {
  return { ...extra, send: { asset, value, distribute: { to: [{ accountAlias: alias, amount: { asset, value } }] } } };
}

export function outflowBody(alias: string, value: string, extra: Record<string, unknown> = {}, asset = 'USD') {
  return { ...extra, send: { asset, value, source: { from: [{ accountAlias: alias, amount: { asset, value } }] } } };
}

export function transferBody(from: string, to: string, value: string, extra: Record<string, unknown> = {}) {
  return {
    ...extra,
    send: {
      asset: 'USD',
      value,
      source: { from: [{ accountAlias: from, amount: usd(value) }] },
      distribute: { to: [{ accountAlias: to, amount: usd(value) }] },
    },
  };
}

function ok(res: ApiResponse, what: string): any {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function fund(ctx: LedgerCtx, alias: string, value: string): Promise<any> {
  return ok(await ctx.api.post(`${ctx.base}/transactions/inflow`, inflowBody(alias, value)), `inflow ${value} to ${alias}`);
}

/** A fresh ledger (see newLedger) with USD accounts `aliases` (default @a and @b), the first funded with `funds`. */
export async function fundedPair(api: Api, funds = '100', aliases: [string, string] = ['@a', '@b']): Promise<LedgerCtx> {
  const ctx = await newLedger(api);
  for (const alias of aliases) await newAccount(ctx, alias);
  await fund(ctx, aliases[0], funds);
  return ctx;
}

export async function transfer(ctx: LedgerCtx, from: string, to: string, value: string): Promise<any> {
  return ok(await ctx.api.post(`${ctx.base}/transactions/json`, transferBody(from, to, value)), `transfer ${from} -> ${to}`);
}

export async function balanceOf(ctx: LedgerCtx, alias: string, api: Api = ctx.api): Promise<any> {
  const body = ok(await api.get(`${ctx.base}/accounts/alias/${encodeURIComponent(alias)}/balances`), `balances of ${alias}`);
  if (body.items.length !== 1) throw new Error(`expected one balance for ${alias}, got ${body.items.length}`);
  return body.items[0];
}

/** Every balance of the ledger (following cursors), as id -> the fields a posting may change. */
export async function snapshotBalances(ctx: LedgerCtx): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  let cursor: string | null = null;
  do {
    const q: string = cursor ? `?limit=100&cursor=${cursor}` : '?limit=100';
    const body = ok(await ctx.api.get(`${ctx.base}/balances${q}`), 'list balances');
    for (const b of body.items) {
      out[b.id] = { alias: b.alias, available: b.available, onHold: b.onHold, version: b.version, updatedAt: b.updatedAt };
    }
    cursor = body.next_cursor;
  } while (cursor);
  return out;
}

export async function sql<T = any>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Sets allow_sending / allow_receiving directly in Postgres (independent of the PATCH route). */
export async function setFlags(balanceId: string, flags: { allowSending?: boolean; allowReceiving?: boolean }): Promise<void> {
  await sql(
    'UPDATE balances SET allow_sending = COALESCE($2, allow_sending), allow_receiving = COALESCE($3, allow_receiving) WHERE id = $1',
    [balanceId, flags.allowSending ?? null, flags.allowReceiving ?? null],
  );
}

export async function countTransactions(ledgerId: string): Promise<number> {
  const [r] = await sql<{ n: string }>('SELECT count(*) AS n FROM transactions WHERE ledger_id = $1', [ledgerId]);
  return Number(r.n);
}

/** Decimal string -> exact hundredths (the tests only use two decimals). */
export function cents(value: string): bigint {
  const m = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(value);
  if (!m) throw new Error(`not a 2-decimal amount: ${value}`);
  const units = BigInt(m[2]) * 100n + BigInt((m[3] ?? '').padEnd(2, '0'));
  return m[1] ? -units : units;
}

/** Exact hundredths -> canonical decimal string as the API prints it ("10", "0.5", "12.34"). */
export function fromCents(units: bigint): string {
  const neg = units < 0n;
  const abs = neg ? -units : units;
  const frac = (abs % 100n).toString().padStart(2, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${abs / 100n}${frac ? '.' + frac : ''}`;
}

/** Runs tasks with at most `limit` in flight; results keep the task order. */
export async function runPool<T>(tasks: Array<() => Promise<T>>, limit: number): Promise<T[]> {
  const results = new Array<T>(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  return results;
}

/** A small seeded PRNG (mulberry32) so random workloads are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
