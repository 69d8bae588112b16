import { BalanceSqlCheck } from './check';
import { balancesInScope, num } from './sql';

/**
 * A soft-deleted balance holds nothing: deletes are refused while a balance holds money, so
 * money on a deleted balance is money nobody can reach (CRITICAL).
 */
export class DeletedBalanceCheck extends BalanceSqlCheck {
  readonly name = 'deleted-balance';
  readonly title = 'Every soft-deleted balance is zero';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT b.ledger_id, b.organization_id, b.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'balance', 'id', b.id, 'alias', b.alias, 'key', b.key, 'deletedAt', b.deleted_at,
               'expected', jsonb_build_object('available', '0', 'onHold', '0'),
               'actual', jsonb_build_object('available', ${num('b.available')}, 'onHold', ${num('b.on_hold')})) AS sample
        FROM ${balancesInScope(incremental)} b
       WHERE b.deleted_at IS NOT NULL AND (b.available <> 0 OR b.on_hold <> 0)`;
  }
}
