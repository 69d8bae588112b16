import { BalanceSqlCheck, CheckScope } from './check';
import { AVAILABLE_EFFECT, num, ON_HOLD_EFFECT } from './sql';

/**
 * G4: each balance equals the fold of its operations, available and onHold separately.
 * A full pass folds every operation. An incremental pass compares each changed balance with
 * its last operation's after-state, which equals the fold because the operation-chain check
 * proves every operation starts where the previous one ended (by induction over the runs).
 */
export class BalanceFoldCheck extends BalanceSqlCheck {
  readonly name = 'balance-fold';
  readonly title = 'Each balance equals the fold of its operations (available and onHold)';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean, _scope: CheckScope): string {
    const sample = (basis: string, expAvailable: string, expOnHold: string) => `jsonb_build_object(
        'entity', 'balance', 'id', b.id, 'alias', b.alias, 'key', b.key, 'asset', b.asset_code, 'basis', ${basis},
        'expected', jsonb_build_object('available', ${expAvailable}, 'onHold', ${expOnHold}),
        'actual', jsonb_build_object('available', ${num('b.available')}, 'onHold', ${num('b.on_hold')}, 'version', b.version::text))`;
    if (incremental) {
      return `
        SELECT b.ledger_id, b.organization_id, b.id::text AS sort_key, true AS critical,
               ${sample(
                 `'after-state of its last operation (version ' || b.version || ')'`,
                 `CASE WHEN b.version = 0 THEN '0' ELSE ${num('o.available_after')} END`,
                 `CASE WHEN b.version = 0 THEN '0' ELSE ${num('o.on_hold_after')} END`,
               )} AS sample
          FROM balances b
          LEFT JOIN operations o ON o.ledger_id = b.ledger_id AND o.balance_id = b.id AND o.version_after = b.version
         WHERE b.updated_at >= $1
           AND ((b.version = 0 AND (b.available <> 0 OR b.on_hold <> 0))
             OR (o.id IS NOT NULL AND (o.available_after <> b.available OR o.on_hold_after <> b.on_hold)))`;
    }
    return `
      SELECT b.ledger_id, b.organization_id, b.id::text AS sort_key, true AS critical,
             ${sample(`'sum of all its operations'`, num('coalesce(f.available, 0)'), num('coalesce(f.on_hold, 0)'))} AS sample
        FROM balances b
        LEFT JOIN (SELECT o.ledger_id, o.balance_id, sum(${AVAILABLE_EFFECT}) AS available, sum(${ON_HOLD_EFFECT}) AS on_hold
                     FROM operations o GROUP BY o.ledger_id, o.balance_id) f
          ON f.ledger_id = b.ledger_id AND f.balance_id = b.id
       WHERE b.available <> coalesce(f.available, 0) OR b.on_hold <> coalesce(f.on_hold, 0)`;
  }
}
