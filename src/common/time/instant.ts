/**
 * RFC 3339 instants (`2026-12-01T12:00:00Z`, `2026-12-01T12:00:00.250+02:00`), parsed strictly:
 * every field in range for its month (no 2027-02-30 rolling over into March), years 0001 to
 * 9999 both as written and in UTC, and no precision beyond the millisecond a Date keeps (so the
 * stored instant is exactly the one sent). parseInstant is pure; validInstant makes a refusal the
 * request's 400.
 */
import { AppError } from '../errors/app-error';

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/;

const MIN_YEAR = 1;
const MAX_YEAR = 9999;

export function parseInstant(raw: string): Date | null {
  const m = RFC3339.exec(raw);
  if (!m) return null;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? '';
  if (/[1-9]/.test(fraction.slice(3))) return null; // finer than a millisecond: would not round-trip
  const ms = Number(fraction.slice(0, 3).padEnd(3, '0'));
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return null;
  const offsetHours = m[9] ? Number(m[10]) : 0;
  const offsetMinutes = m[9] ? Number(m[11]) : 0;
  if (offsetHours > 23 || offsetMinutes > 59) return null;
  // Date.UTC maps years 0-99 to 1900-1999: set the full year explicitly.
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, ms);
  // A day past its month's end rolls over: refuse it rather than store another date.
  if (local.getUTCFullYear() !== year || local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day) return null;
  const sign = m[9] === '-' ? -1 : 1;
  const instant = new Date(local.getTime() - sign * (offsetHours * 60 + offsetMinutes) * 60_000);
  const utcYear = instant.getUTCFullYear();
  if (utcYear < MIN_YEAR || utcYear > MAX_YEAR) return null;
  return instant;
}

/** parseInstant for a request field: anything but an existing RFC 3339 instant is a 400 (INVALID_DATE, 0077). */
export function validInstant(value: unknown, field: string): Date {
  const d = typeof value === 'string' ? parseInstant(value) : null;
  if (!d) {
    throw new AppError('INVALID_DATE', `${field} must be an RFC 3339 date-time that exists (years 0001 to 9999), such as 2026-12-01T12:00:00Z.`, {
      fields: { [field]: 'invalid date-time' },
    });
  }
  return d;
}

/** An optional instant as ISO 8601 text (responses and array literals), null when absent. */
export const isoOrNull = (d: Date | null): string | null => (d ? d.toISOString() : null);
