import { OperationSqlCheck } from './check';
import { operationsInScope } from './sql';

/**
 * Each operation names the account, alias and key of the balance it moved: a revert finds its
 * balances again by alias, and statements list operations by account (CRITICAL). Operations
 * whose balance is missing are left to dangling-operations.
 */
export class OperationAccountCheck extends OperationSqlCheck {
  readonly name = 'operation-account';
  readonly title = "Every operation's account and alias are its balance's";
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT o.ledger_id, o.organization_id, o.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'operation', 'id', o.id, 'transactionId', o.transaction_id, 'balanceId', o.balance_id,
               'expected', jsonb_build_object('accountId', b.account_id, 'alias', b.alias, 'key', b.key),
               'actual', jsonb_build_object('accountId', o.account_id, 'alias', o.account_alias, 'key', o.balance_key)) AS sample
        FROM ${operationsInScope(incremental)} o
        JOIN balances b ON b.ledger_id = o.ledger_id AND b.id = o.balance_id
       WHERE o.account_id IS DISTINCT FROM b.account_id
          OR o.account_alias IS DISTINCT FROM b.alias
          OR o.balance_key IS DISTINCT FROM b.key`;
  }
}
