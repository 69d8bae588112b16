import { TransactionSqlCheck } from './check';
import { num, operationsInScope, transactionsInScope } from './sql';

/**
 * G7, the hold state machine (DESIGN section 4) per transaction, from its operations:
 * PENDING has its ON_HOLDs and nothing else; APPROVED from a hold has, on each held balance,
 * a DEBIT from onHold of the held amount, and CREDITs of the same total; CANCELED has, on
 * each held balance, a RELEASE of the held amount and no DEBIT or CREDIT; a direct
 * transaction never takes from onHold.
 */
export class HoldCompletenessCheck extends TransactionSqlCheck {
  readonly name = 'hold-completeness';
  readonly title = 'Every hold ends with exactly its state-machine operations';
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    // Only transactions a hold is involved in: a hold operation, a DEBIT from onHold, or a status
    // other than APPROVED. The others are direct transactions, which this check has nothing to say about.
    return `
      WITH candidates AS (
        SELECT o.ledger_id, o.transaction_id FROM ${operationsInScope(incremental)} o
         WHERE o.type IN ('ON_HOLD', 'RELEASE') OR (o.type = 'DEBIT' AND o.on_hold_after < o.on_hold_before)
        UNION
        SELECT t.ledger_id, t.id FROM ${transactionsInScope(incremental)} t WHERE t.status_code <> 'APPROVED'),
      per_balance AS (
        SELECT o.ledger_id, o.transaction_id, o.balance_id,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'ON_HOLD'), 0) AS held,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'DEBIT' AND o.on_hold_after < o.on_hold_before), 0) AS settled,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'DEBIT' AND o.on_hold_after >= o.on_hold_before), 0) AS spent,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'RELEASE'), 0) AS released,
               coalesce(sum(o.amount) FILTER (WHERE o.type = 'CREDIT'), 0) AS credited
          FROM candidates c
          JOIN operations o ON o.ledger_id = c.ledger_id AND o.transaction_id = c.transaction_id
         GROUP BY o.ledger_id, o.transaction_id, o.balance_id),
      per_tx AS (
        SELECT ledger_id, transaction_id, sum(held) AS held, sum(settled) AS settled, sum(spent) AS spent,
               sum(released) AS released, sum(credited) AS credited,
               count(*) FILTER (WHERE settled <> held) AS unsettled_balances,
               count(*) FILTER (WHERE released <> held) AS unreleased_balances
          FROM per_balance GROUP BY ledger_id, transaction_id),
      judged AS (
        SELECT t.ledger_id, t.organization_id, t.id, t.status_code, t.amount,
               x.held, x.settled, x.spent, x.released, x.credited,
               CASE
                 WHEN t.status_code = 'PENDING' AND x.held = 0 THEN 'PENDING without ON_HOLD'
                 WHEN t.status_code = 'PENDING' AND x.settled + x.spent + x.released + x.credited > 0 THEN 'PENDING with settling operations'
                 WHEN t.status_code = 'APPROVED' AND x.held = 0 AND x.settled + x.released > 0 THEN 'direct transaction takes from onHold'
                 WHEN t.status_code = 'APPROVED' AND x.held > 0 AND x.unsettled_balances > 0 THEN 'APPROVED hold without the DEBIT of each held amount'
                 WHEN t.status_code = 'APPROVED' AND x.held > 0 AND x.credited <> x.held THEN 'APPROVED hold without its CREDITs'
                 WHEN t.status_code = 'APPROVED' AND x.held > 0 AND x.released + x.spent > 0 THEN 'APPROVED hold with a RELEASE or a DEBIT from available'
                 WHEN t.status_code = 'CANCELED' AND x.held = 0 THEN 'CANCELED without ON_HOLD'
                 WHEN t.status_code = 'CANCELED' AND x.unreleased_balances > 0 THEN 'CANCELED hold without the RELEASE of each held amount'
                 WHEN t.status_code = 'CANCELED' AND x.settled + x.spent + x.credited > 0 THEN 'CANCELED hold with a DEBIT or CREDIT'
               END AS problem
          FROM per_tx x
          JOIN transactions t ON t.ledger_id = x.ledger_id AND t.id = x.transaction_id)
      SELECT ledger_id, organization_id, id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'transaction', 'id', id, 'status', status_code, 'problem', problem,
               'expected', CASE status_code
                             WHEN 'APPROVED' THEN jsonb_build_object('debitedFromHold', ${num('held')}, 'credited', ${num('held')}, 'released', '0')
                             WHEN 'CANCELED' THEN jsonb_build_object('released', ${num('held')}, 'debited', '0', 'credited', '0')
                             ELSE jsonb_build_object('held', ${num('amount')}, 'settledOrReleased', '0') END,
               'actual', jsonb_build_object('held', ${num('held')}, 'debitedFromHold', ${num('settled')}, 'debitedFromAvailable', ${num('spent')},
                                            'released', ${num('released')}, 'credited', ${num('credited')})) AS sample
        FROM judged WHERE problem IS NOT NULL`;
  }
}
