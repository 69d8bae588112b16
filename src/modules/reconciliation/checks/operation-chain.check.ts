import { OperationSqlCheck } from './check';
import { AVAILABLE_EFFECT, num, ON_HOLD_EFFECT, operationsInScope } from './sql';

/**
 * G4: each balance's operations form a gap-free chain. For every operation: its predecessor
 * (the operation whose version_after is its version_before) exists and ended where it
 * starts; a first operation starts from zero; and its own after-state is its before-state
 * moved by its type and amount.
 */
export class OperationChainCheck extends OperationSqlCheck {
  readonly name = 'operation-chain';
  readonly title = 'Operations form a gap-free chain per balance (versions, before = previous after)';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    const gap = `(o.version_before > 0 AND p.id IS NULL)`;
    const badStart = `(o.version_before = 0 AND (o.available_before <> 0 OR o.on_hold_before <> 0))`;
    const badLink = `(p.id IS NOT NULL AND (p.available_after <> o.available_before OR p.on_hold_after <> o.on_hold_before))`;
    const da = `(o.available_after - o.available_before)`;
    const dh = `(o.on_hold_after - o.on_hold_before)`;
    const badMove = `NOT coalesce(CASE o.type
        WHEN 'CREDIT' THEN ${da} = o.amount AND ${dh} = 0
        WHEN 'ON_HOLD' THEN ${da} = -o.amount AND ${dh} = o.amount
        WHEN 'RELEASE' THEN ${da} = o.amount AND ${dh} = -o.amount
        WHEN 'DEBIT' THEN (${da} = -o.amount AND ${dh} = 0) OR (${da} = 0 AND ${dh} = -o.amount)
        ELSE false END, false)`;
    const state = (available: string, onHold: string, version: string) =>
      `jsonb_build_object('available', ${num(available)}, 'onHold', ${num(onHold)}, 'version', (${version})::text)`;
    return `
      SELECT o.ledger_id, o.organization_id, o.balance_id::text || lpad(o.version_after::text, 20, '0') AS sort_key, true AS critical,
             jsonb_build_object('entity', 'operation', 'id', o.id, 'transactionId', o.transaction_id, 'balanceId', o.balance_id,
               'alias', o.account_alias, 'type', o.type, 'amount', ${num('o.amount')},
               'problem', CASE WHEN ${gap} THEN 'no operation ends at its version_before (version gap)'
                               WHEN ${badStart} THEN 'first operation does not start from zero'
                               WHEN ${badLink} THEN 'before-state differs from the previous operation''s after-state'
                               ELSE 'after-state does not follow from its type and amount' END,
               'expected', CASE WHEN ${gap} THEN jsonb_build_object('previousVersion', o.version_before::text)
                                WHEN ${badStart} THEN ${state('0', '0', "'0'")}
                                WHEN ${badLink} THEN ${state('p.available_after', 'p.on_hold_after', 'p.version_after')}
                                ELSE ${state(`o.available_before + ${AVAILABLE_EFFECT}`, `o.on_hold_before + ${ON_HOLD_EFFECT}`, 'o.version_after')} END,
               'actual', CASE WHEN ${gap} OR ${badStart} OR ${badLink} THEN ${state('o.available_before', 'o.on_hold_before', 'o.version_before')}
                              ELSE ${state('o.available_after', 'o.on_hold_after', 'o.version_after')} END) AS sample
        FROM ${operationsInScope(incremental)} o
        LEFT JOIN operations p ON p.ledger_id = o.ledger_id AND p.balance_id = o.balance_id AND p.version_after = o.version_before
       WHERE ${gap} OR ${badStart} OR ${badLink} OR ${badMove}`;
  }
}
