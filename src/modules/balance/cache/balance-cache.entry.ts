import { amountFromDb, formatAmount } from '../../../common/money/amount';
import { Balance } from '../balance.types';

/**
 * The Redis form of a balance (DESIGN G8): one hash per balance, every field a string.
 * Amounts and the version are exact decimal strings; Postgres stays the truth.
 */
export const ENTRY_FIELDS = [
  'id',
  'version',
  'available',
  'onHold',
  'accountId',
  'assetCode',
  'accountType',
  'allowSending',
  'allowReceiving',
  'organizationId',
  'createdAt',
  'updatedAt',
] as const;

export type EntryField = (typeof ENTRY_FIELDS)[number];
export type EntryHash = Record<EntryField, string>;

/** What names a balance in the cache: its ledger, alias and balance key. */
export interface BalanceRef {
  ledgerId: string;
  alias: string;
  key: string;
}

/**
 * The one definition of the cache key of a balance: `ledger:{<ledgerId>}:balance:<alias>:<key>`.
 * The {ledgerId} hash tag keeps one ledger's entries in one Redis Cluster slot (one Lua call per
 * ledger; the scripts take their keys in KEYS and never build one). Aliases may contain ':' but
 * never '%', so ':' in the alias is written as %3A and the key stays unambiguous.
 */
export function balanceCacheKey(ref: BalanceRef): string {
  return `${balanceCacheKeyPrefix(ref.ledgerId)}${ref.alias.replace(/:/g, '%3A')}:${ref.key}`;
}

/** What every balance cache key of a ledger starts with (`${prefix}*` matches them all in a SCAN). */
export function balanceCacheKeyPrefix(ledgerId: string): string {
  return `ledger:{${ledgerId}}:balance:`;
}

export function encodeEntry(b: Balance): EntryHash {
  return {
    id: b.id,
    version: b.version.toString(),
    available: formatAmount(b.available),
    onHold: formatAmount(b.onHold),
    accountId: b.accountId,
    assetCode: b.assetCode,
    accountType: b.accountType,
    allowSending: String(b.allowSending),
    allowReceiving: String(b.allowReceiving),
    organizationId: b.organizationId,
    createdAt: b.createdAt.toISOString(),
    updatedAt: b.updatedAt.toISOString(),
  };
}

/** The field values in ENTRY_FIELDS order (the layout the Lua scripts expect). */
export function entryValues(b: Balance): string[] {
  const e = encodeEntry(b);
  return ENTRY_FIELDS.map((f) => e[f]);
}

/** A canonical integer: "0" or digits without a leading zero ("003" is not a version). */
const DIGITS = /^(0|[1-9][0-9]*)$/;

/** The state a cached entry holds, or null when it is incomplete or malformed. */
export function decodeState(raw: Partial<Record<string, string>>): { version: bigint; available: bigint; onHold: bigint; updatedAt: Date } | null {
  try {
    if (!raw.version || !DIGITS.test(raw.version) || !raw.available || !raw.onHold || !raw.updatedAt) return null;
    const updatedAt = new Date(raw.updatedAt);
    if (Number.isNaN(updatedAt.getTime())) return null;
    return { version: BigInt(raw.version), available: amountFromDb(raw.available), onHold: amountFromDb(raw.onHold), updatedAt };
  } catch {
    return null;
  }
}

/** Whether a raw cached hash holds exactly this Postgres state (every field). */
export function sameEntry(raw: Partial<Record<string, string>>, b: Balance): boolean {
  const e = encodeEntry(b);
  return ENTRY_FIELDS.every((f) => raw[f] === e[f]);
}

/** Exact comparison of two version strings of digits (no leading zeros): -1, 0 or 1. */
export function compareVersions(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a === b ? 0 : a < b ? -1 : 1;
}

export const isVersion = (v: string | undefined): v is string => v !== undefined && DIGITS.test(v);
