import { SqlCheck } from './check';
import { num } from './sql';

/**
 * G3: per ledger and asset, the sum of available + onHold over all balances (external
 * accounts included) is zero. An incremental pass sums the ledger/asset pairs that have a
 * balance changed since the checkpoint.
 */
export class ConservationCheck extends SqlCheck {
  readonly name = 'conservation';
  readonly title = 'Per ledger and asset, all balances (external included) sum to zero';
  readonly raises = 'CRITICAL';

  private pairs(incremental: boolean): string {
    return incremental
      ? `(SELECT * FROM balances WHERE (ledger_id, asset_code) IN (SELECT ledger_id, asset_code FROM balances WHERE updated_at >= $1))`
      : `balances`;
  }

  protected scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM (SELECT DISTINCT ledger_id, asset_code FROM ${this.pairs(incremental)} b) x`;
  }

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT b.ledger_id, min(b.organization_id::text)::uuid AS organization_id, b.asset_code AS sort_key, true AS critical,
             jsonb_build_object('entity', 'ledger-asset', 'id', b.ledger_id, 'asset', b.asset_code, 'balances', count(*),
               'expected', jsonb_build_object('sum', '0'),
               'actual', jsonb_build_object('sum', ${num('sum(b.available + b.on_hold)')},
                                            'available', ${num('sum(b.available)')}, 'onHold', ${num('sum(b.on_hold)')})) AS sample
        FROM ${this.pairs(incremental)} b
       GROUP BY b.ledger_id, b.asset_code
      HAVING sum(b.available + b.on_hold) <> 0`;
  }
}
