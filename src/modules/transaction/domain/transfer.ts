/**
 * Transaction input after validation, before any balance is read (pure types, no Nest or TypeORM).
 * Amounts are exact bigint units (see common/money/amount).
 */
export type LegShare =
  | { type: 'amount'; asset: string; value: bigint }
  /** percentageOfPercentage 0 means 100 (as in Midaz, where it may be left out). */
  | { type: 'share'; percentage: bigint; percentageOfPercentage: bigint }
  | { type: 'remaining' };

export interface LegDetails {
  description?: string;
  chartOfAccounts?: string;
  metadata?: Record<string, unknown>;
}

export interface LegSpec extends LegDetails {
  alias: string;
  balanceKey: string;
  share: LegShare;
}

export interface TransferSpec {
  asset: string;
  value: bigint;
  sources: LegSpec[];
  destinations: LegSpec[];
}

/** A leg with its exact amount. */
export interface Leg extends LegDetails {
  alias: string;
  balanceKey: string;
  amount: bigint;
}

/** Sources and destinations that each sum exactly to value. */
export interface Transfer {
  asset: string;
  value: bigint;
  sources: Leg[];
  destinations: Leg[];
}

export { DEFAULT_BALANCE_KEY } from '../../balance/balance.types';
