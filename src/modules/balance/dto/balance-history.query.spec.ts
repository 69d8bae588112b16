import { parseBalanceHistoryQuery } from './balance-history.query';

const limits = { defaultLimit: 10, maxLimit: 100 };
const parse = (raw: Record<string, unknown>) => parseBalanceHistoryQuery(raw, limits);
const refusal = (raw: Record<string, unknown>) => {
  try {
    parse(raw);
  } catch (err) {
    return (err as { key: string; extra: { fields?: Record<string, string> } }).key;
  }
  return 'accepted';
};

describe('parseBalanceHistoryQuery', () => {
  it('defaults: no range, the default limit, ascending, no cursor', () => {
    expect(parse({})).toEqual({ from: undefined, to: undefined, page: expect.objectContaining({ limit: 10, sortOrder: 'asc' }) });
    expect(parse({}).page.cursor).toBeUndefined();
  });

  it('reads from, to (RFC 3339, any offset), limit and cursor', () => {
    const q = parse({ from: '2026-12-01T12:00:00+02:00', to: '2026-12-01T12:00:00.5Z', limit: '3', cursor: 'abc' });
    expect(q.from?.toISOString()).toBe('2026-12-01T10:00:00.000Z');
    expect(q.to?.toISOString()).toBe('2026-12-01T12:00:00.500Z');
    expect(q.page).toEqual(expect.objectContaining({ limit: 3, cursor: 'abc', sortOrder: 'asc' }));
  });

  it('accepts from equal to to (one instant)', () => {
    expect(refusal({ from: '2026-12-01T12:00:00Z', to: '2026-12-01T12:00:00.000Z' })).toBe('accepted');
  });

  it.each([
    [{ from: '2026-12-01' }, 'INVALID_DATE'],
    [{ to: '2027-02-30T00:00:00Z' }, 'INVALID_DATE'],
    [{ from: ['2026-12-01T12:00:00Z', '2026-12-02T12:00:00Z'] }, 'INVALID_DATE'],
    [{ from: '2026-12-02T00:00:00Z', to: '2026-12-01T23:59:59.999Z' }, 'INVALID_DATE_RANGE'],
    [{ limit: '101' }, 'PAGINATION_LIMIT'],
    [{ limit: '0' }, 'BAD_REQUEST'],
    [{ sort_order: 'desc' }, 'UNEXPECTED_FIELDS'],
    [{ start_date: '2026-12-01' }, 'UNEXPECTED_FIELDS'],
    [{ at: '2026-12-01T12:00:00Z' }, 'UNEXPECTED_FIELDS'],
  ])('refuses %p with %s', (raw, key) => {
    expect(refusal(raw)).toBe(key);
  });
});
