import { AppError } from '../errors/app-error';
import { parseListQuery } from './list-query';

const limits = { defaultLimit: 10, maxLimit: 100 };
const refusal = (raw: Record<string, unknown>) => {
  try {
    parseListQuery(raw, limits);
  } catch (e) {
    return (e as AppError).key;
  }
  return 'accepted';
};

describe('list query dates', () => {
  it('refuses a date-time that does not exist instead of rolling it into the next month', () => {
    expect(refusal({ start_date: '2027-02-30T00:00:00Z' })).toBe('INVALID_DATE');
    expect(refusal({ end_date: '2026-13-01T00:00:00Z' })).toBe('INVALID_DATE');
    expect(refusal({ end_date: '2026-02-30' })).toBe('INVALID_DATE');
  });

  it('accepts dates, date-times without seconds and with microseconds, at the instant written', () => {
    expect(parseListQuery({ start_date: '2026-12-01T10:00+02:00' }, limits).startDate?.toISOString()).toBe('2026-12-01T08:00:00.000Z');
    expect(parseListQuery({ start_date: '2026-12-01T10:00:00.123456Z' }, limits).startDate?.toISOString()).toBe('2026-12-01T10:00:00.123Z');
    expect(parseListQuery({ start_date: '2026-12-01' }, limits).startDate?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });
});
