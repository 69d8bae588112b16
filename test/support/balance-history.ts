import { Client } from 'pg';

/**
 * A reference for GET .../balances/{id}?at= and .../history, from the operations read straight
 * from Postgres. It states the definition another way than the service's SQL does: each
 * operation is effective from the latest timestamp among itself and every earlier version (a
 * running maximum), and the balance at T is the last operation effective at or before T. Times
 * are whole milliseconds since the epoch, as the API shows them.
 */
export interface ChainOp {
  operationId: string;
  transactionId: string;
  type: string;
  amount: string;
  available: string;
  onHold: string;
  version: number;
  createdAt: string;
  /** The operation's own timestamp, in ms. */
  stampMs: number;
  /** The latest stamp of this and every earlier version, in ms. */
  effectiveMs: number;
}

export interface BalanceChain {
  id: string;
  createdMs: number;
  deletedMs: number | null;
  ops: ChainOp[];
}

export async function readChain(db: Client, ledgerId: string, balanceId: string): Promise<BalanceChain> {
  const { rows: [b] } = await db.query(
    `SELECT floor(extract(epoch FROM created_at) * 1000)::bigint::text AS created_ms,
            floor(extract(epoch FROM deleted_at) * 1000)::bigint::text AS deleted_ms
       FROM balances WHERE ledger_id = $1 AND id = $2`,
    [ledgerId, balanceId],
  );
  const { rows } = await db.query(
    `SELECT id, transaction_id, type, amount::text AS amount, available_after::text AS available, on_hold_after::text AS on_hold,
            version_after::int AS version, floor(extract(epoch FROM created_at) * 1000)::bigint::text AS stamp_ms
       FROM operations WHERE ledger_id = $1 AND balance_id = $2 ORDER BY version_after`,
    [ledgerId, balanceId],
  );
  let effective = -Infinity;
  const ops = rows.map((r, i): ChainOp => {
    if (r.version !== i + 1) throw new Error(`balance ${balanceId}: version ${r.version} at position ${i + 1}`);
    const stampMs = Number(r.stamp_ms);
    effective = Math.max(effective, stampMs);
    return {
      operationId: r.id,
      transactionId: r.transaction_id,
      type: r.type,
      amount: canonical(r.amount),
      available: canonical(r.available),
      onHold: canonical(r.on_hold),
      version: r.version,
      createdAt: new Date(stampMs).toISOString(),
      stampMs,
      effectiveMs: effective,
    };
  });
  return { id: balanceId, createdMs: Number(b.created_ms), deletedMs: b.deleted_ms === null ? null : Number(b.deleted_ms), ops };
}

/** NUMERIC text as the API prints it ("10.50" -> "10.5", "3.00" -> "3"). */
function canonical(value: string): string {
  return value.includes('.') ? value.replace(/0+$/, '').replace(/\.$/, '') : value;
}

/** The balance at `atMs`: null when it did not exist then, else its available, onHold and version. */
export function stateAt(chain: BalanceChain, atMs: number): { available: string; onHold: string; version: number } | null {
  if (chain.createdMs > atMs) return null;
  if (chain.deletedMs !== null && chain.deletedMs <= atMs) return null;
  const last = [...chain.ops].reverse().find((op) => op.effectiveMs <= atMs);
  return last ? { available: last.available, onHold: last.onHold, version: last.version } : { available: '0', onHold: '0', version: 0 };
}

/** The history items between two instants (either may be absent), by version. */
export function historyBetween(chain: BalanceChain, fromMs?: number, toMs?: number) {
  return chain.ops
    .filter((op) => (fromMs === undefined || op.effectiveMs >= fromMs) && (toMs === undefined || op.effectiveMs <= toMs))
    .map(({ operationId, transactionId, type, amount, available, onHold, version, createdAt }) => ({
      operationId,
      transactionId,
      type,
      amount,
      available,
      onHold,
      version,
      createdAt,
    }));
}
