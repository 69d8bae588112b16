import { BalanceSqlCheck } from './check';
import { balancesInScope } from './sql';

/** G4: balance.version equals the version of its last operation (0 without operations). */
export class BalanceVersionCheck extends BalanceSqlCheck {
  readonly name = 'balance-version';
  readonly title = "Each balance's version equals its last operation's version";
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    // max(version_after) per balance is one probe of the (ledger_id, balance_id, version_after) unique index.
    return `
      SELECT b.ledger_id, b.organization_id, b.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'balance', 'id', b.id, 'alias', b.alias, 'key', b.key,
               'expected', jsonb_build_object('version', coalesce(m.v, 0)::text),
               'actual', jsonb_build_object('version', b.version::text)) AS sample
        FROM ${balancesInScope(incremental)} b
        CROSS JOIN LATERAL (SELECT max(o.version_after) AS v FROM operations o
                             WHERE o.ledger_id = b.ledger_id AND o.balance_id = b.id) m
       WHERE b.version <> coalesce(m.v, 0)`;
  }
}
