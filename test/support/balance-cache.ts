import Redis from 'ioredis';
import { amountFromDb } from '../../src/common/money/amount';
import { balanceCacheKey } from '../../src/modules/balance/cache/balance-cache.entry';
import { Api } from './api';
import { sql } from './postings';

/** Helpers for the balance cache tests: Postgres truth, cached entries, metrics (a private Redis: see servers.ts). */

export interface TrueBalance {
  id: string;
  alias: string;
  key: string;
  ledgerId: string;
  available: bigint;
  onHold: bigint;
  version: string;
}

/** Every live balance of a ledger as Postgres holds it, by alias. */
export async function pgBalances(ledgerId: string): Promise<Map<string, TrueBalance>> {
  const rows = await sql<{ id: string; alias: string; key: string; available: string; on_hold: string; version: string }>(
    `SELECT id, alias, key, available::text AS available, on_hold::text AS on_hold, version::text AS version
       FROM balances WHERE ledger_id = $1 AND deleted_at IS NULL`,
    [ledgerId],
  );
  return new Map(
    rows.map((r) => [
      r.alias,
      { id: r.id, alias: r.alias, key: r.key, ledgerId, available: amountFromDb(r.available), onHold: amountFromDb(r.on_hold), version: r.version },
    ]),
  );
}

export const cacheKeyOf = (b: { ledgerId: string; alias: string; key?: string }) =>
  balanceCacheKey({ ledgerId: b.ledgerId, alias: b.alias, key: b.key ?? 'default' });

/** The cached entry of a balance (null when absent), amounts parsed. */
export async function cachedEntry(redis: Redis, b: { ledgerId: string; alias: string; key?: string }) {
  const h = await redis.hgetall(cacheKeyOf(b));
  if (Object.keys(h).length === 0) return null;
  return { ...h, available: amountFromDb(h.available), onHold: amountFromDb(h.onHold) } as Record<string, string> & {
    available: bigint;
    onHold: bigint;
  };
}

/** The state an API balance shows, comparable with TrueBalance. */
export const shown = (b: any) => ({ id: b.id, available: amountFromDb(b.available), onHold: amountFromDb(b.onHold), version: String(b.version) });
export const truth = (b: TrueBalance) => ({ id: b.id, available: b.available, onHold: b.onHold, version: b.version });

/** Sum of a counter's samples in the app's /metrics text (0 when absent). */
export async function metricValue(api: Api, name: string, labels = ''): Promise<number> {
  const res = await api.get('/metrics');
  if (res.status !== 200) throw new Error(`/metrics answered ${res.status}`);
  let sum = 0;
  for (const line of String(res.body).split('\n')) {
    const m = /^([a-z_]+)(\{[^}]*\})? (\S+)$/.exec(line);
    if (m && m[1] === name && (m[2] ?? '').includes(labels)) sum += Number(m[3]);
  }
  return sum;
}
