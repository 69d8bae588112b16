/** Where an entity lives: nothing (organizations), an organization (ledgers) or a ledger. */
export interface Scope {
  organizationId?: string;
  ledgerId?: string;
}
