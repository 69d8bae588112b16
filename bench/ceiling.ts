/**
 * The `ceiling` scenario of npm run bench: how many transfers per second the bench database
 * itself accepts when written the cheapest sensible way from a Node pg client, without the app.
 * Each Postgres transaction carries 100 transfers between uniformly random accounts in a constant
 * number of statements: lock the involved balances FOR UPDATE in id order, one INSERT ... SELECT
 * FROM unnest for the transactions, one for the operations (a DEBIT and a CREDIT per transfer),
 * one UPDATE balances FROM unnest, COMMIT. A few clients run such batches at once.
 *
 * The rows are ledger rows of the same shape the app writes (posting.repository.ts writeBatch):
 * before/after amounts and versions follow each balance's chain from the locked state, so the
 * books check at the end of the bench stays clean. It runs on the seeded accounts after the app
 * scenarios (the app's next posting locks and reads the versions these batches leave).
 */
import { Client } from 'pg';
import { randomInt } from 'crypto';
import { amountFromDb, formatAmount, parseAmount } from '../src/common/money/amount';
import { newId } from '../src/common/ids';

export interface CeilingOptions {
  databaseUrl: string;
  /** Aliases of the seeded, funded accounts (one `default` USD balance each). */
  aliases: string[];
  durationS: number;
  clients: number;
  transfersPerBatch: number;
}

export interface CeilingResult {
  transfers: number;
  batches: number;
  seconds: number;
  /** Milliseconds per batch (BEGIN to COMMIT), averaged. */
  batchMs: number;
  /** Ends the clients: called once their Postgres backends' CPU has been read. */
  close: () => Promise<void>;
}

interface BalanceRef {
  ledgerId: string;
  id: string;
  organizationId: string;
  accountId: string;
  alias: string;
}

const AMOUNT = parseAmount('0.01');

const LOCK = `SELECT id, available, on_hold, version FROM balances
               WHERE ledger_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`;
const INSERT_TRANSACTIONS = `
  INSERT INTO transactions (ledger_id, id, organization_id, status_code, amount, asset_code, source, destination, body, metadata)
  SELECT $1, t.id, $2, 'APPROVED', t.amount, 'USD', ARRAY[t.source], ARRAY[t.destination], t.body, '{}'
    FROM unnest($3::uuid[], $4::numeric[], $5::text[], $6::text[], $7::jsonb[]) AS t(id, amount, source, destination, body)`;
const INSERT_OPERATIONS = `
  INSERT INTO operations (ledger_id, id, organization_id, transaction_id, balance_id, account_id, account_alias, balance_key,
                          asset_code, type, amount, available_before, on_hold_before, version_before,
                          available_after, on_hold_after, version_after, status_code, metadata)
  SELECT $1, o.id, $2, o.transaction_id, o.balance_id, o.account_id, o.account_alias, 'default',
         'USD', o.type, o.amount, o.available_before, o.on_hold_before, o.version_after - 1,
         o.available_after, o.on_hold_before, o.version_after, 'APPROVED', '{}'
    FROM unnest($3::uuid[], $4::uuid[], $5::uuid[], $6::uuid[], $7::text[], $8::text[], $9::numeric[],
                $10::numeric[], $11::numeric[], $12::numeric[], $13::bigint[])
      AS o(id, transaction_id, balance_id, account_id, account_alias, type, amount,
           available_before, on_hold_before, available_after, version_after)`;
const UPDATE_BALANCES = `
  UPDATE balances b SET available = u.available, version = u.version, updated_at = now()
    FROM unnest($2::uuid[], $3::numeric[], $4::bigint[]) AS u(id, available, version)
   WHERE b.ledger_id = $1 AND b.id = u.id`;

/** The seeded balances behind these aliases (one ledger). */
async function balancesOf(db: Client, aliases: string[]): Promise<BalanceRef[]> {
  const res = await db.query<{ ledger_id: string; id: string; organization_id: string; account_id: string; alias: string }>(
    `SELECT ledger_id, id, organization_id, account_id, alias FROM balances
      WHERE alias = ANY($1::text[]) AND key = 'default' AND deleted_at IS NULL ORDER BY alias`,
    [aliases],
  );
  if (res.rows.length !== aliases.length) throw new Error(`ceiling: found ${res.rows.length} of ${aliases.length} balances`);
  if (new Set(res.rows.map((r) => r.ledger_id)).size !== 1) throw new Error('ceiling: the accounts span ledgers');
  return res.rows.map((r) => ({ ledgerId: r.ledger_id, id: r.id, organizationId: r.organization_id, accountId: r.account_id, alias: r.alias }));
}

/** One batch of transfers in one Postgres transaction; answers false (nothing written) when a source lacked funds. */
async function postBatch(db: Client, balances: BalanceRef[], n: number): Promise<boolean> {
  const pairs: Array<[BalanceRef, BalanceRef]> = [];
  for (let i = 0; i < n; i++) {
    const a = randomInt(balances.length);
    let b = randomInt(balances.length - 1);
    if (b >= a) b++;
    pairs.push([balances[a], balances[b]]);
  }
  const { ledgerId, organizationId } = balances[0];
  const ids = [...new Set(pairs.flat().map((b) => b.id))];
  await db.query('BEGIN');
  try {
    const locked = await db.query<{ id: string; available: string; on_hold: string; version: string }>({ name: 'ceiling_lock', text: LOCK, values: [ledgerId, ids] });
    const state = new Map(locked.rows.map((r) => [r.id, { available: amountFromDb(r.available), onHold: r.on_hold, version: BigInt(r.version) }]));
    const tx = { id: [] as string[], amount: [] as string[], source: [] as string[], destination: [] as string[], body: [] as string[] };
    const op = {
      id: [] as string[], transactionId: [] as string[], balanceId: [] as string[], accountId: [] as string[], alias: [] as string[],
      type: [] as string[], amount: [] as string[], availableBefore: [] as string[], onHoldBefore: [] as string[],
      availableAfter: [] as string[], versionAfter: [] as string[],
    };
    const value = formatAmount(AMOUNT);
    const operation = (transactionId: string, b: BalanceRef, type: 'DEBIT' | 'CREDIT') => {
      const s = state.get(b.id)!;
      const after = type === 'DEBIT' ? s.available - AMOUNT : s.available + AMOUNT;
      if (after < 0n) throw new Error('insufficient funds');
      op.id.push(newId());
      op.transactionId.push(transactionId);
      op.balanceId.push(b.id);
      op.accountId.push(b.accountId);
      op.alias.push(b.alias);
      op.type.push(type);
      op.amount.push(value);
      op.availableBefore.push(formatAmount(s.available));
      op.onHoldBefore.push(s.onHold);
      op.availableAfter.push(formatAmount(after));
      s.available = after;
      s.version += 1n;
      op.versionAfter.push(String(s.version));
    };
    for (const [from, to] of pairs) {
      const id = newId();
      tx.id.push(id);
      tx.amount.push(value);
      tx.source.push(from.alias);
      tx.destination.push(to.alias);
      const leg = (alias: string) => ({ alias, balanceKey: 'default', amount: value });
      tx.body.push(JSON.stringify({ asset: 'USD', value, sources: [leg(from.alias)], destinations: [leg(to.alias)] }));
      operation(id, from, 'DEBIT');
      operation(id, to, 'CREDIT');
    }
    await db.query({ name: 'ceiling_transactions', text: INSERT_TRANSACTIONS, values: [ledgerId, organizationId, tx.id, tx.amount, tx.source, tx.destination, tx.body] });
    await db.query({
      name: 'ceiling_operations',
      text: INSERT_OPERATIONS,
      values: [ledgerId, organizationId, op.id, op.transactionId, op.balanceId, op.accountId, op.alias, op.type, op.amount,
               op.availableBefore, op.onHoldBefore, op.availableAfter, op.versionAfter],
    });
    const updated = [...state.entries()];
    await db.query({
      name: 'ceiling_balances',
      text: UPDATE_BALANCES,
      values: [ledgerId, updated.map(([id]) => id), updated.map(([, s]) => formatAmount(s.available)), updated.map(([, s]) => String(s.version))],
    });
    await db.query('COMMIT');
    return true;
  } catch (err) {
    await db.query('ROLLBACK');
    if ((err as Error).message === 'insufficient funds') return false;
    throw err;
  }
}

/** Runs `clients` loops of batches for `durationS` seconds; answers what committed. */
export async function runCeiling(opts: CeilingOptions): Promise<CeilingResult> {
  const clients = await Promise.all(
    Array.from({ length: opts.clients }, async () => {
      const c = new Client({ connectionString: opts.databaseUrl, application_name: 'bench-ceiling' });
      await c.connect();
      return c;
    }),
  );
  const close = async () => {
    await Promise.all(clients.map((c) => c.end()));
  };
  try {
    const balances = await balancesOf(clients[0], opts.aliases);
    // Each client prepares its statements before the clock starts.
    await Promise.all(clients.map((c) => postBatch(c, balances, 1)));
    let transfers = 0;
    let batches = 0;
    let batchSeconds = 0;
    const start = process.hrtime.bigint();
    const end = start + BigInt(Math.round(opts.durationS * 1e9));
    await Promise.all(
      clients.map(async (c) => {
        while (process.hrtime.bigint() < end) {
          const t = process.hrtime.bigint();
          if (await postBatch(c, balances, opts.transfersPerBatch)) {
            transfers += opts.transfersPerBatch;
            batches++;
            batchSeconds += Number(process.hrtime.bigint() - t) / 1e9;
          }
        }
      }),
    );
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { transfers, batches, seconds, batchMs: batches ? (batchSeconds * 1000) / batches : 0, close };
  } catch (err) {
    await close();
    throw err;
  }
}
