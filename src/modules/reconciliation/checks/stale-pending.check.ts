import { CheckScope, SqlCheck } from './check';

/**
 * No PENDING hold past its expiry (plus RECONCILIATION_PENDING_GRACE_MS, the time the
 * pending-expiry job may take to get to it). Moves no money: WARNING. Always a full look,
 * through the partial index on PENDING expiries.
 */
export class StalePendingCheck extends SqlCheck {
  readonly name = 'stale-pending';
  readonly title = 'No PENDING hold is left past its expiry';
  readonly raises = 'WARNING';
  protected override readonly incrementalCapable = false;

  protected scannedSql(): string {
    return `SELECT count(*) AS n FROM transactions WHERE status_code = 'PENDING' AND expires_at IS NOT NULL`;
  }

  protected issuesSql(_incremental: boolean, scope: CheckScope): string {
    const graceMs = Math.max(0, Math.floor(scope.pendingGraceMs));
    return `
      SELECT t.ledger_id, t.organization_id, t.id::text AS sort_key, false AS critical,
             jsonb_build_object('entity', 'transaction', 'id', t.id, 'expiresAt', t.expires_at,
               'overdueSeconds', floor(extract(epoch FROM now() - t.expires_at))::bigint,
               'expected', jsonb_build_object('status', 'CANCELED (expired)'),
               'actual', jsonb_build_object('status', t.status_code)) AS sample
        FROM transactions t
       WHERE t.status_code = 'PENDING' AND t.expires_at < now() - make_interval(secs => ${graceMs} / 1000.0)
         AND t.deleted_at IS NULL`;
  }
}
