import { TransactionSqlCheck } from './check';
import { bodyLegElements, num, operationsInScope } from './sql';

/** The legs of a stored body side as sorted "alias|key|amount" texts (anything malformed never matches). */
const bodyLegs = (side: 'sources' | 'destinations'): string => `
  (SELECT coalesce(array_agg(leg ORDER BY leg), '{}') FROM (
     SELECT coalesce((l->>'alias') || '|' || (l->>'balanceKey') || '|' || (l->>'amount'), '(malformed)') AS leg
       FROM jsonb_array_elements(${bodyLegElements('t', side)}) l) x)`;

/**
 * A transaction's stored request body (`transactions.body`) says what its operations did: the
 * sources are its ON_HOLD operations (a hold) or else its DEBITs, the destinations of a settled
 * APPROVED transaction its CREDITs, and its value and asset are the transaction's. Commit and
 * revert post from the operations, but a body that disagrees with them was edited behind the
 * service's back: CRITICAL. Transactions without operations are left to orphan-transactions.
 */
export class BodyLegsCheck extends TransactionSqlCheck {
  readonly name = 'body-legs';
  readonly title = "Every transaction's stored legs match its operations";
  readonly raises = 'CRITICAL';

  protected issuesSql(incremental: boolean): string {
    return `
      WITH legs AS (
        SELECT ledger_id, transaction_id,
               coalesce(array_agg(leg ORDER BY leg) FILTER (WHERE type = 'ON_HOLD'), '{}') AS held,
               coalesce(array_agg(leg ORDER BY leg) FILTER (WHERE type = 'DEBIT'), '{}') AS debits,
               coalesce(array_agg(leg ORDER BY leg) FILTER (WHERE type = 'CREDIT'), '{}') AS credits
          FROM (SELECT o.ledger_id, o.transaction_id, o.type,
                       o.account_alias || '|' || o.balance_key || '|' || ${num('o.amount')} AS leg
                  FROM ${operationsInScope(incremental)} o) x
         GROUP BY ledger_id, transaction_id),
      compared AS (
        SELECT t.ledger_id, t.organization_id, t.id, t.status_code, t.asset_code, ${num('t.amount')} AS amount,
               CASE WHEN cardinality(l.held) > 0 THEN l.held ELSE l.debits END AS op_sources,
               l.credits AS op_destinations,
               ${bodyLegs('sources')} AS body_sources,
               ${bodyLegs('destinations')} AS body_destinations,
               t.body->>'value' AS body_value, t.body->>'asset' AS body_asset
          FROM legs l
          JOIN transactions t ON t.ledger_id = l.ledger_id AND t.id = l.transaction_id)
      SELECT c.ledger_id, c.organization_id, c.id::text AS sort_key, true AS critical,
             jsonb_build_object('entity', 'transaction', 'id', c.id, 'status', c.status_code,
               'expected', jsonb_build_object('asset', c.asset_code, 'value', c.amount, 'sources', to_jsonb(c.op_sources),
                 'destinations', CASE WHEN c.status_code = 'APPROVED' THEN to_jsonb(c.op_destinations) END),
               'actual', jsonb_build_object('asset', c.body_asset, 'value', c.body_value, 'sources', to_jsonb(c.body_sources),
                 'destinations', to_jsonb(c.body_destinations))) AS sample
        FROM compared c
       WHERE c.body_sources IS DISTINCT FROM c.op_sources
          OR (c.status_code = 'APPROVED' AND c.body_destinations IS DISTINCT FROM c.op_destinations)
          OR c.body_value IS DISTINCT FROM c.amount
          OR c.body_asset IS DISTINCT FROM c.asset_code`;
  }
}
