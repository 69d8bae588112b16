/** Where an entity lives: nothing (organizations), an organization (ledgers) or a ledger. */
export interface Scope {
  organizationId?: string;
  ledgerId?: string;
  /** Only these entity ids (the organizations an API key is limited to). */
  ids?: readonly string[];
}
