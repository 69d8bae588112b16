import { TransactionSqlCheck } from './check';
import { num, operationsInScope } from './sql';

/**
 * G2: per transaction and asset, debits equal credits; the legs total the transaction's
 * amount (credits of an APPROVED one, holds of a held one) in the transaction's asset.
 */
export class DoubleEntryCheck extends TransactionSqlCheck {
  readonly name = 'double-entry';
  readonly title = 'Every transaction balances: debits = credits = its amount, per asset';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    return `
      WITH sums AS (
        SELECT o.ledger_id, o.transaction_id, o.asset_code,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'DEBIT'), 0) AS debits,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'CREDIT'), 0) AS credits,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'ON_HOLD'), 0) AS held
          FROM ${operationsInScope(incremental)} o
         GROUP BY o.ledger_id, o.transaction_id, o.asset_code)
      SELECT t.ledger_id, t.organization_id, t.id::text || s.asset_code AS sort_key, true AS critical,
             jsonb_build_object('entity', 'transaction', 'id', t.id, 'status', t.status_code, 'asset', s.asset_code,
               'expected', jsonb_build_object('asset', t.asset_code, 'amount', ${num('t.amount')}, 'debits', ${num('s.credits')}),
               'actual', jsonb_build_object('debits', ${num('s.debits')}, 'credits', ${num('s.credits')}, 'held', ${num('s.held')})) AS sample
        FROM sums s
        JOIN transactions t ON t.ledger_id = s.ledger_id AND t.id = s.transaction_id
       WHERE s.debits <> s.credits
          OR s.asset_code <> t.asset_code
          OR (t.status_code = 'APPROVED' AND s.credits <> t.amount)
          OR (s.held > 0 AND s.held <> t.amount)`;
  }
}
