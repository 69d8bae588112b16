import { Client } from 'pg';

/**
 * G7 over the whole database: every transaction has exactly the operations of the state
 * machine of DESIGN section 4 for its status, and each operation moves its balance the way
 * its type says. Returns one line per violation (empty when the books hold).
 *
 *   direct / revert (APPROVED): DEBIT per source (from available), CREDIT per destination
 *   hold PENDING:   ON_HOLD per source
 *   hold APPROVED:  ON_HOLD + DEBIT (from onHold) per source, CREDIT per destination
 *   hold CANCELED:  ON_HOLD + RELEASE per source
 */
export async function checkHolds(databaseUrl: string): Promise<string[]> {
  const c = new Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const txs = await c.query<{ id: string; status: string; body: StoredBody }>(
      `SELECT id, status_code AS status, body FROM transactions`,
    );
    const ops = await c.query<OpRow>(
      `SELECT transaction_id, account_alias, balance_key, type, amount::text, available_before::text, on_hold_before::text,
              available_after::text, on_hold_after::text, version_after::text
         FROM operations`,
    );
    const byTx = new Map<string, OpRow[]>();
    for (const o of ops.rows) byTx.set(o.transaction_id, [...(byTx.get(o.transaction_id) ?? []), o]);
    const problems: string[] = [];
    for (const t of txs.rows) problems.push(...checkTransaction(t.id, t.status, t.body, byTx.get(t.id) ?? []));
    return problems;
  } finally {
    await c.end();
  }
}

interface StoredBody {
  sources: Array<{ alias: string; balanceKey: string; amount: string }>;
  destinations: Array<{ alias: string; balanceKey: string; amount: string }>;
}

interface OpRow {
  transaction_id: string;
  account_alias: string;
  balance_key: string;
  type: string;
  amount: string;
  available_before: string;
  on_hold_before: string;
  available_after: string;
  on_hold_after: string;
  version_after: string;
}

/** NUMERIC text as a canonical string (no trailing zeros), so equal amounts compare equal. */
const canon = (v: string): string => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v);
/** Exact difference of two NUMERIC strings, scaled to 18 decimals. */
const units = (v: string): bigint => {
  const neg = v.startsWith('-');
  const [i, f = ''] = (neg ? v.slice(1) : v).split('.');
  const u = BigInt(i) * 10n ** 18n + BigInt((f + '0'.repeat(18)).slice(0, 18));
  return neg ? -u : u;
};

/** How each operation type moves available and onHold, in multiples of its amount. */
const EFFECT: Record<string, { available: bigint; onHold: bigint }> = {
  ON_HOLD: { available: -1n, onHold: 1n },
  RELEASE: { available: 1n, onHold: -1n },
  CREDIT: { available: 1n, onHold: 0n },
};

function checkTransaction(id: string, status: string, body: StoredBody, ops: OpRow[]): string[] {
  const held = status !== 'APPROVED' || ops.some((o) => o.type === 'ON_HOLD');
  const leg = (type: string, l: { alias: string; balanceKey: string; amount: string }) => `${type} ${l.alias}/${l.balanceKey} ${canon(l.amount)}`;
  const expected: string[] = [];
  if (!held) {
    expected.push(...body.sources.map((l) => leg('DEBIT', l)), ...body.destinations.map((l) => leg('CREDIT', l)));
  } else {
    expected.push(...body.sources.map((l) => leg('ON_HOLD', l)));
    if (status === 'APPROVED') expected.push(...body.sources.map((l) => leg('DEBIT', l)), ...body.destinations.map((l) => leg('CREDIT', l)));
    if (status === 'CANCELED') expected.push(...body.sources.map((l) => leg('RELEASE', l)));
  }
  const actual = ops.map((o) => leg(o.type, { alias: o.account_alias, balanceKey: o.balance_key, amount: o.amount }));
  const problems: string[] = [];
  if (JSON.stringify([...expected].sort()) !== JSON.stringify([...actual].sort())) {
    problems.push(`${status} ${held ? 'hold' : 'transaction'} ${id}: expected [${expected.sort().join(', ')}], got [${actual.sort().join(', ')}]`);
  }
  for (const o of ops) {
    const amt = units(o.amount);
    const dAvail = units(o.available_after) - units(o.available_before);
    const dHold = units(o.on_hold_after) - units(o.on_hold_before);
    // A DEBIT settles a hold (from onHold) when the transaction was held, else it spends available.
    const effect = o.type === 'DEBIT' ? (held ? { available: 0n, onHold: -1n } : { available: -1n, onHold: 0n }) : EFFECT[o.type];
    if (!effect || dAvail !== effect.available * amt || dHold !== effect.onHold * amt) {
      problems.push(`${id}: ${o.type} of ${o.amount} on ${o.account_alias} moved available by ${dAvail}, onHold by ${dHold} (units)`);
    }
  }
  // The settle of a hold comes after the hold on the same balance.
  for (const s of ops.filter((o) => held && (o.type === 'DEBIT' || o.type === 'RELEASE'))) {
    const h = ops.find((o) => o.type === 'ON_HOLD' && o.account_alias === s.account_alias && o.balance_key === s.balance_key);
    if (h && BigInt(h.version_after) >= BigInt(s.version_after)) problems.push(`${id}: ${s.type} on ${s.account_alias} precedes its ON_HOLD`);
  }
  return problems;
}
