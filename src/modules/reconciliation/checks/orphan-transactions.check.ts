import { TransactionSqlCheck } from './check';
import { transactionsInScope } from './sql';

/**
 * Transactions without their operations: a non-pending one with fewer than two, a pending
 * one with none. WARNING when it has none (no money moved), CRITICAL when it has one (money
 * moved on one side only).
 */
export class OrphanTransactionsCheck extends TransactionSqlCheck {
  readonly name = 'orphan-transactions';
  readonly title = 'No transaction lacks its operations (< 2 if settled, 0 if pending)';
  readonly raises = 'WARNING without operations, CRITICAL with a single one';

  protected issuesSql(incremental: boolean): string {
    const counts = incremental
      ? `CROSS JOIN LATERAL (SELECT count(*) AS n FROM operations o WHERE o.ledger_id = t.ledger_id AND o.transaction_id = t.id) c`
      : `LEFT JOIN (SELECT ledger_id, transaction_id, count(*) AS n FROM operations GROUP BY ledger_id, transaction_id) c
           ON c.ledger_id = t.ledger_id AND c.transaction_id = t.id`;
    return `
      SELECT t.ledger_id, t.organization_id, t.id::text AS sort_key, coalesce(c.n, 0) > 0 AS critical,
             jsonb_build_object('entity', 'transaction', 'id', t.id, 'status', t.status_code,
               'expected', jsonb_build_object('operations', CASE WHEN t.status_code = 'PENDING' THEN '>= 1' ELSE '>= 2' END),
               'actual', jsonb_build_object('operations', coalesce(c.n, 0))) AS sample
        FROM ${transactionsInScope(incremental)} t
        ${counts}
       WHERE (t.status_code <> 'PENDING' AND coalesce(c.n, 0) < 2) OR (t.status_code = 'PENDING' AND coalesce(c.n, 0) = 0)`;
  }
}
