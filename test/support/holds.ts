import { ApiResponse } from './api';
import { LedgerCtx } from './factories';

/** Helpers for hold (pending transaction) tests; generic posting helpers are in postings.ts. */

export type Legs = Array<[alias: string, value: string]>;

const legs = (l: Legs) => l.map(([accountAlias, value]) => ({ accountAlias, amount: { asset: 'USD', value } }));
/** Integer amounts only, summed exactly. */
const total = (l: Legs) => l.reduce((s, [, v]) => s + BigInt(v), 0n).toString();

export interface Snapshot {
  available: string;
  onHold: string;
  version: number;
}

function ok<T>(res: ApiResponse<T>, what: string): T {
  if (res.status >= 300) throw new Error(`${what} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** POST transactions/json from `from` to `to` (value = the sum of `from`); extra merges into the body. */
export function postJson(ctx: LedgerCtx, from: Legs, to: Legs, extra: Record<string, unknown> = {}): Promise<ApiResponse> {
  return ctx.api.post(`${ctx.base}/transactions/json`, {
    ...extra,
    send: { asset: 'USD', value: total(from), source: { from: legs(from) }, distribute: { to: legs(to) } },
  });
}

/** A pending transaction (hold); throws unless it is created. */
export async function hold(ctx: LedgerCtx, from: Legs, to: Legs, extra: Record<string, unknown> = {}): Promise<any> {
  return ok(await postJson(ctx, from, to, { ...extra, pending: true }), 'hold');
}

export const commit = (ctx: LedgerCtx, id: string) => ctx.api.post(`${ctx.base}/transactions/${id}/commit`);
export const cancel = (ctx: LedgerCtx, id: string) => ctx.api.post(`${ctx.base}/transactions/${id}/cancel`);
export const revert = (ctx: LedgerCtx, id: string) => ctx.api.post(`${ctx.base}/transactions/${id}/revert`);

export async function getTransaction(ctx: LedgerCtx, id: string): Promise<any> {
  return ok(await ctx.api.get(`${ctx.base}/transactions/${id}`), 'get transaction');
}

/** The default balance of an alias (the external account when alias is @external/USD). */
export async function balanceState(ctx: LedgerCtx, alias: string): Promise<Snapshot & { id: string }> {
  const path = alias.startsWith('@external/')
    ? `accounts/external/${alias.slice('@external/'.length)}/balances`
    : `accounts/alias/${encodeURIComponent(alias)}/balances`;
  const body = ok(await ctx.api.get<any>(`${ctx.base}/${path}`), `balance of ${alias}`);
  const b = body.items.find((x: { key: string }) => x.key === 'default');
  return { id: b.id, available: b.available, onHold: b.onHold, version: b.version };
}

/** available, onHold and version of an alias's default balance. */
export async function snapshotOf(ctx: LedgerCtx, alias: string): Promise<Snapshot> {
  const { available, onHold, version } = await balanceState(ctx, alias);
  return { available, onHold, version };
}

/** The operations of a transaction as [type, alias, amount, before, after], for exact comparison. */
export function opsOf(tx: { operations: any[] }, types?: string[]): Array<[string, string, string, Snapshot, Snapshot]> {
  return tx.operations
    .filter((o) => !types || types.includes(o.type))
    .map((o): [string, string, string, Snapshot, Snapshot] => [o.type, o.accountAlias, o.amount.value, o.balance, o.balanceAfter])
    .sort((a, b) => (a[0] + a[1] < b[0] + b[1] ? -1 : 1));
}

export const snap = (available: string, onHold: string, version: number): Snapshot => ({ available, onHold, version });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until `done` holds or `timeoutMs` passes; returns the last value read. */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs: number, everyMs = 100): Promise<T> {
  const until = Date.now() + timeoutMs;
  let v = await read();
  while (!done(v) && Date.now() < until) {
    await sleep(everyMs);
    v = await read();
  }
  return v;
}
