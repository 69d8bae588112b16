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
