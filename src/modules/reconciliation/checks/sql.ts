/** SQL fragments shared by the checks. */

/** A NUMERIC as canonical text ("10", "0.5", "-3.25"). */
export const num = (expr: string): string => `trim_scale(${expr})::text`;

/** The elements of a stored body side (`<alias>.body-><side>`) for jsonb_array_elements: none when it is not an array. */
export const bodyLegElements = (alias: string, side: 'sources' | 'destinations'): string =>
  `CASE WHEN jsonb_typeof(${alias}.body->'${side}') = 'array' THEN ${alias}.body->'${side}' ELSE '[]' END`;

/**
 * How an operation `o` moves available and onHold. A DEBIT settles a hold (from onHold) when
 * its onHold went down, else it spends available; the operation-chain check verifies that
 * each operation's own before/after agree with its type and amount.
 */
export const AVAILABLE_EFFECT = `CASE o.type WHEN 'CREDIT' THEN o.amount WHEN 'RELEASE' THEN o.amount WHEN 'ON_HOLD' THEN -o.amount
  WHEN 'DEBIT' THEN CASE WHEN o.on_hold_after < o.on_hold_before THEN 0 ELSE -o.amount END ELSE 0 END`;
export const ON_HOLD_EFFECT = `CASE o.type WHEN 'ON_HOLD' THEN o.amount WHEN 'RELEASE' THEN -o.amount
  WHEN 'DEBIT' THEN CASE WHEN o.on_hold_after < o.on_hold_before THEN -o.amount ELSE 0 END ELSE 0 END`;

/** Balances to verify: all, or those updated since the checkpoint ($1). */
export const balancesInScope = (incremental: boolean): string =>
  incremental ? `(SELECT * FROM balances WHERE updated_at >= $1)` : `balances`;

/** Transactions to verify: all, or those created or settled since the checkpoint ($1). */
export const transactionsInScope = (incremental: boolean): string =>
  incremental ? `(SELECT * FROM transactions WHERE updated_at >= $1)` : `transactions`;

/**
 * Operations to verify: all, or those of transactions changed since the checkpoint (every
 * new operation belongs to a transaction created or settled by the same database commit).
 */
export const operationsInScope = (incremental: boolean): string =>
  incremental
    ? `(SELECT o.* FROM transactions t0 JOIN operations o ON o.ledger_id = t0.ledger_id AND o.transaction_id = t0.id
         WHERE t0.updated_at >= $1)`
    : `operations`;
