import { BalanceSqlCheck } from './check';
import { balancesInScope, num } from './sql';

/** G5: available and onHold never below zero, except available on external accounts. */
export class NonNegativeCheck extends BalanceSqlCheck {
  readonly name = 'non-negative';
  readonly title = 'No internal balance is negative (onHold never is)';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT b.ledger_id, b.organization_id, b.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'balance', 'id', b.id, 'alias', b.alias, 'key', b.key, 'accountType', b.account_type,
               'expected', CASE WHEN b.account_type = 'external' THEN 'onHold >= 0' ELSE 'available >= 0 and onHold >= 0' END,
               'actual', jsonb_build_object('available', ${num('b.available')}, 'onHold', ${num('b.on_hold')})) AS sample
        FROM ${balancesInScope(incremental)} b
       WHERE (b.account_type <> 'external' AND b.available < 0) OR b.on_hold < 0`;
  }
}
