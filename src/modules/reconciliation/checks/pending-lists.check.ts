import { TransactionSqlCheck } from './check';
import { bodyLegElements, transactionsInScope } from './sql';

/** The distinct aliases of a stored body side, sorted. */
const bodyAliases = (side: 'sources' | 'destinations'): string => `
  ARRAY(SELECT DISTINCT l->>'alias' FROM jsonb_array_elements(${bodyLegElements('t', side)}) l ORDER BY 1)`;
const sorted = (column: string): string => `ARRAY(SELECT DISTINCT a FROM unnest(${column}) a ORDER BY 1)`;

/**
 * A PENDING hold's source and destination lists (what listings and filters show) name the
 * accounts of its stored legs, which its commit will credit. A mismatch moves no money by
 * itself (a commit checks its destinations against the books): WARNING.
 */
export class PendingListsCheck extends TransactionSqlCheck {
  readonly name = 'pending-lists';
  readonly title = "Every PENDING hold's source and destination lists match its stored legs";
  readonly raises = 'WARNING';

  protected override scannedSql(incremental: boolean): string {
    return `SELECT count(*) AS n FROM ${transactionsInScope(incremental)} t WHERE t.status_code = 'PENDING' AND t.deleted_at IS NULL`;
  }

  protected issuesSql(incremental: boolean): string {
    return `
      SELECT c.ledger_id, c.organization_id, c.id::text AS sort_key, false AS critical,
             jsonb_build_object('entity', 'transaction', 'id', c.id,
               'expected', jsonb_build_object('source', to_jsonb(c.body_sources), 'destination', to_jsonb(c.body_destinations)),
               'actual', jsonb_build_object('source', to_jsonb(c.sources), 'destination', to_jsonb(c.destinations))) AS sample
        FROM (SELECT t.ledger_id, t.organization_id, t.id,
                     ${sorted('t.source')} AS sources, ${sorted('t.destination')} AS destinations,
                     ${bodyAliases('sources')} AS body_sources, ${bodyAliases('destinations')} AS body_destinations
                FROM ${transactionsInScope(incremental)} t
               WHERE t.status_code = 'PENDING' AND t.deleted_at IS NULL) c
       WHERE c.sources IS DISTINCT FROM c.body_sources OR c.destinations IS DISTINCT FROM c.body_destinations`;
  }
}
