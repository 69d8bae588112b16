/** A balance as stored (amounts as exact bigint units, see common/money). */
export interface Balance {
  id: string;
  organizationId: string;
  ledgerId: string;
  accountId: string;
  alias: string;
  key: string;
  assetCode: string;
  available: bigint;
  onHold: bigint;
  version: bigint;
  accountType: string;
  allowSending: boolean;
  allowReceiving: boolean;
  createdAt: Date;
  updatedAt: Date;
  deletedAt: Date | null;
}

export const EXTERNAL_ACCOUNT_TYPE = 'external';
export const DEFAULT_BALANCE_KEY = 'default';

export function externalAlias(assetCode: string): string {
  return `@external/${assetCode}`;
}

/** The balance after one of its operations (GET .../balances/{id}/history). */
export interface BalanceHistoryEntry {
  /** The operation's id. */
  id: string;
  transactionId: string;
  type: string;
  amount: bigint;
  available: bigint;
  onHold: bigint;
  version: bigint;
  createdAt: Date;
}
