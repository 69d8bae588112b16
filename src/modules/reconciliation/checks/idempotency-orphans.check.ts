import { SqlCheck } from './check';

/**
 * G1/G6: an idempotency record that names a transaction must find it. A record is written in
 * the posting's own database transaction, so a missing transaction means an acknowledged
 * posting is gone from the books (a replay would confirm money that never moved): CRITICAL.
 * Incremental: the records still live at the checkpoint (expires_at index).
 */
export class IdempotencyOrphansCheck extends SqlCheck {
  readonly name = 'idempotency-orphans';
  readonly title = 'Every idempotency record points at an existing transaction';
  readonly raises = 'CRITICAL';

  private keys(incremental: boolean): string {
    return incremental ? `(SELECT * FROM idempotency_keys WHERE expires_at >= $1)` : `idempotency_keys`;
  }

  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${this.keys(incremental)} i WHERE i.transaction_id IS NOT NULL`;
  }

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT i.ledger_id, i.organization_id, i.key AS sort_key, true AS critical,
             jsonb_build_object('entity', 'idempotency-key', 'id', i.key, 'transactionId', i.transaction_id,
               'createdAt', i.created_at, 'responseStatus', i.response_status,
               'expected', jsonb_build_object('transaction', 'exists'),
               'actual', jsonb_build_object('transaction', 'missing')) AS sample
        FROM ${this.keys(incremental)} i
       WHERE i.transaction_id IS NOT NULL
         AND NOT EXISTS (SELECT 1 FROM transactions t WHERE t.ledger_id = i.ledger_id AND t.id = i.transaction_id)`;
  }
}
