import { AppError } from '../errors/app-error';

/**
 * Exact money (G9). An amount is a bigint of units of 10^-18. It never passes through
 * a JavaScript number: JSON carries decimal strings, Postgres NUMERIC.
 */
export const SCALE = 18;
const MAX_SIGNIFICANT = 38;

/** Strict client syntax: no sign, exponent, spaces, separators or leading zeros. */
const CLIENT_AMOUNT = /^(0|[1-9][0-9]*)(\.[0-9]+)?$/;
/** What Postgres NUMERIC prints: optional minus, any trailing zeros. */
const DB_AMOUNT = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;

/** Units of an integer part and a fraction part of at most SCALE digits (one BigInt parse). */
function toUnits(intPart: string, fracPart: string): bigint {
  return BigInt(intPart + fracPart.padEnd(SCALE, '0'));
}

/** `digits` without its trailing zeros. */
function trimZeros(digits: string): string {
  let end = digits.length;
  while (end > 0 && digits.charCodeAt(end - 1) === 48) end--;
  return digits.slice(0, end);
}

/** Why a client amount string is refused, or null when it is acceptable. */
export function amountProblem(value: unknown, opts: { allowZero?: boolean } = {}): string | null {
  if (typeof value !== 'string') return 'must be a decimal string such as "10.50"';
  const m = CLIENT_AMOUNT.exec(value);
  if (!m) return 'must be a plain decimal string: digits, optionally a dot and decimals, no sign or exponent';
  const frac = (m[2] ?? '').slice(1);
  if (frac.length > SCALE) return `must have at most ${SCALE} decimal places`;
  const significant = (m[1] + frac).replace(/^0+/, '').length;
  if (significant > MAX_SIGNIFICANT) return `must have at most ${MAX_SIGNIFICANT} significant digits`;
  if (!opts.allowZero && toUnits(m[1], frac) === 0n) return 'must be greater than zero';
  return null;
}

/** Parses a client amount (G9); throws a 400 naming the field when refused. */
export function parseAmount(value: unknown, field = 'value', opts: { allowZero?: boolean } = {}): bigint {
  const problem = amountProblem(value, opts);
  if (problem) throw new AppError('INVALID_AMOUNT', `${field} ${problem}.`, { fields: { [field]: problem } });
  const [i, f = ''] = (value as string).split('.');
  return toUnits(i, f);
}

/** Parses a NUMERIC read from Postgres. */
export function amountFromDb(value: string): bigint {
  const m = DB_AMOUNT.exec(value);
  if (!m) throw new Error(`not a NUMERIC value: ${value}`);
  const frac = trimZeros(m[3] ?? '');
  if (frac.length > SCALE) throw new Error(`NUMERIC value with more than ${SCALE} decimals: ${value}`);
  const units = toUnits(m[2], frac);
  return m[1] ? -units : units;
}

/** Canonical decimal string: no trailing zeros, no exponent ("10", "0.5", "-3.25"). */
export function formatAmount(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  const split = digits.length - SCALE;
  const int = split > 0 ? digits.slice(0, split) : '0';
  const frac = trimZeros(split > 0 ? digits.slice(split) : digits.padStart(SCALE, '0'));
  return `${negative ? '-' : ''}${int}${frac ? '.' + frac : ''}`;
}
