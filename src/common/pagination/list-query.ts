import { parseInstant } from '../time/instant';
import { AppError } from '../errors/app-error';

export type SortOrder = 'asc' | 'desc';

export interface ListQuery {
  limit: number;
  page: number;
  cursor?: string;
  sortOrder: SortOrder;
  startDate?: Date;
  /**
   * Exclusive upper bound: end_date plus one millisecond. Rows keep microseconds while
   * responses and end_date carry milliseconds, so a row created at end_date is included.
   */
  endBefore?: Date;
  /** metadata.<key>=<value> filters, matched as strings. */
  metadata: Record<string, string>;
}

export interface ListLimits {
  defaultLimit: number;
  maxLimit: number;
}

const KNOWN = new Set(['limit', 'page', 'cursor', 'sort_order', 'start_date', 'end_date']);
const METADATA_KEY = /^metadata\.([A-Za-z0-9_\-.]{1,100})$/;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;

function single(raw: unknown, name: string): string {
  if (Array.isArray(raw)) throw new AppError('BAD_REQUEST', `${name} may be given once.`, { fields: { [name]: 'given more than once' } });
  return String(raw);
}

function parsePositiveInt(raw: string, name: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) {
    throw new AppError('BAD_REQUEST', `${name} must be a positive integer.`, { fields: { [name]: 'must be a positive integer' } });
  }
  return Number(raw);
}

function parseDate(raw: string, name: string, endOfDay: boolean): Date {
  let d: Date | undefined;
  if (DATE_ONLY.test(raw)) d = new Date(`${raw}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  // A date-time that exists (2027-02-30T00:00:00Z is refused, never read as March 2); seconds
  // may be left out and digits finer than the millisecond are dropped (a filter bound).
  else if (DATE_TIME.test(raw)) d = parseInstant(raw.replace(/(T\d{2}:\d{2})(?=[Z+-])/, '$1:00').replace(/(\.\d{3})\d+/, '$1')) ?? undefined;
  if (!d || Number.isNaN(d.getTime()) || (DATE_ONLY.test(raw) && d.toISOString().slice(0, 10) !== raw)) {
    throw new AppError('INVALID_DATE', `${name} must be a date (YYYY-MM-DD) or an ISO-8601 date-time.`, {
      fields: { [name]: 'invalid date' },
    });
  }
  return d;
}

/**
 * Parses list query parameters (page- or cursor-based). Unknown parameters are refused,
 * so a typo never silently returns an unfiltered list.
 */
export function parseListQuery(raw: Record<string, unknown>, limits: ListLimits): ListQuery {
  const q: ListQuery = { limit: limits.defaultLimit, page: 1, sortOrder: 'desc', metadata: {} };
  for (const [name, value] of Object.entries(raw ?? {})) {
    const metadataKey = METADATA_KEY.exec(name);
    if (metadataKey) {
      q.metadata[metadataKey[1]] = single(value, name);
      continue;
    }
    if (!KNOWN.has(name)) {
      throw new AppError('UNEXPECTED_FIELDS', `Unknown query parameter ${name}.`, { fields: { [name]: 'unknown parameter' } });
    }
  }
  if (raw.limit !== undefined) {
    q.limit = parsePositiveInt(single(raw.limit, 'limit'), 'limit');
    if (q.limit > limits.maxLimit) {
      throw new AppError('PAGINATION_LIMIT', `limit must be at most ${limits.maxLimit}.`, {
        fields: { limit: `at most ${limits.maxLimit}` },
      });
    }
  }
  if (raw.page !== undefined) q.page = parsePositiveInt(single(raw.page, 'page'), 'page');
  if (raw.cursor !== undefined) q.cursor = single(raw.cursor, 'cursor');
  if (raw.sort_order !== undefined) {
    const s = single(raw.sort_order, 'sort_order').toLowerCase();
    if (s !== 'asc' && s !== 'desc') {
      throw new AppError('INVALID_SORT_ORDER', 'sort_order must be asc or desc.', { fields: { sort_order: 'asc or desc' } });
    }
    q.sortOrder = s;
  }
  if (raw.start_date !== undefined) q.startDate = parseDate(single(raw.start_date, 'start_date'), 'start_date', false);
  if (raw.end_date !== undefined) {
    q.endBefore = new Date(parseDate(single(raw.end_date, 'end_date'), 'end_date', true).getTime() + 1);
  }
  if (q.startDate && q.endBefore && q.startDate >= q.endBefore) {
    throw new AppError('INVALID_DATE_RANGE', 'start_date must not be after end_date.', {
      fields: { start_date: 'after end_date' },
    });
  }
  return q;
}

export interface Page<T> {
  items: T[];
  page: number;
  limit: number;
}

export interface CursorPage<T> {
  items: T[];
  limit: number;
  next_cursor: string | null;
  prev_cursor: string | null;
}
