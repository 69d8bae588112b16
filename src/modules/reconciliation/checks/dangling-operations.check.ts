import { SqlCheck } from './check';

/**
 * Operations whose transaction or balance does not exist (foreign keys forbid it today; a
 * distributed deployment may run without them). Incremental: the operations of changed
 * transactions and the last operation of each changed balance.
 */
export class DanglingOperationsCheck extends SqlCheck {
  readonly name = 'dangling-operations';
  readonly title = 'Every operation has its transaction and its balance';
  readonly raises = 'CRITICAL';

  private operations(incremental: boolean): string {
    if (!incremental) return `operations`;
    return `(SELECT o.ledger_id, o.id, o.organization_id, o.transaction_id, o.balance_id, o.account_alias, o.type
               FROM transactions t0 JOIN operations o ON o.ledger_id = t0.ledger_id AND o.transaction_id = t0.id
              WHERE t0.updated_at >= $1
             UNION
             SELECT o.ledger_id, o.id, o.organization_id, o.transaction_id, o.balance_id, o.account_alias, o.type
               FROM balances b0 JOIN operations o ON o.ledger_id = b0.ledger_id AND o.balance_id = b0.id AND o.version_after = b0.version
              WHERE b0.updated_at >= $1)`;
  }

  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${this.operations(incremental)} o`;
  }

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT o.ledger_id, o.organization_id, o.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'operation', 'id', o.id, 'transactionId', o.transaction_id, 'balanceId', o.balance_id,
               'alias', o.account_alias, 'type', o.type,
               'expected', jsonb_build_object('transaction', 'exists', 'balance', 'exists'),
               'actual', jsonb_build_object('transaction', CASE WHEN t.id IS NULL THEN 'missing' ELSE 'exists' END,
                                            'balance', CASE WHEN b.id IS NULL THEN 'missing' ELSE 'exists' END)) AS sample
        FROM ${this.operations(incremental)} o
        LEFT JOIN transactions t ON t.ledger_id = o.ledger_id AND t.id = o.transaction_id
        LEFT JOIN balances b ON b.ledger_id = o.ledger_id AND b.id = o.balance_id
       WHERE t.id IS NULL OR b.id IS NULL`;
  }
}
