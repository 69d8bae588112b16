/**
 * The live ledgers as a SQL join: the ledger is not deleted, its organization is not deleted,
 * and the organization is the ledger's own. Parenthesized, so it stands after FROM or after
 * (LEFT) JOIN; the caller says which ledgers in its own ON or WHERE (`l.id = ...`), through the
 * aliases it names here.
 */
export function liveLedgers(ledger: string, organization: string): string {
  return `(ledgers ${ledger} JOIN organizations ${organization} ON ${organization}.id = ${ledger}.organization_id
           AND ${ledger}.deleted_at IS NULL AND ${organization}.deleted_at IS NULL)`;
}
