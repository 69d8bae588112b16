import { parseInstant, validInstant } from './instant';

const iso = (raw: string) => parseInstant(raw)?.toISOString() ?? null;

describe('parseInstant (RFC 3339, exact)', () => {
  it.each([
    ['2026-12-01T12:00:00Z', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01t12:00:00z', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T12:00:00.25Z', '2026-12-01T12:00:00.250Z'],
    ['2026-12-01T12:00:00.250000Z', '2026-12-01T12:00:00.250Z'],
    ['2026-12-01T14:30:00+02:30', '2026-12-01T12:00:00.000Z'],
    ['2026-12-01T09:00:00-03:00', '2026-12-01T12:00:00.000Z'],
    ['2028-02-29T00:00:00Z', '2028-02-29T00:00:00.000Z'],
    ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00.000Z'],
    ['0099-06-15T00:00:00Z', '0099-06-15T00:00:00.000Z'],
    ['9999-12-31T23:59:59.999Z', '9999-12-31T23:59:59.999Z'],
  ])('accepts %s as %s', (raw, expected) => {
    expect(iso(raw)).toBe(expected);
  });

  it.each([
    '0000-01-01T00:00:00Z', // year 0
    '10000-01-01T00:00:00Z',
    '2027-02-30T00:00:00Z', // would roll over to March 2
    '2027-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-12-01T24:00:00Z',
    '2026-12-01T12:60:00Z',
    '2026-12-01T12:00:60Z', // leap seconds cannot be kept exactly
    '2026-12-01T12:00:00.0001Z', // finer than a millisecond
    '2026-12-01T12:00:00+24:00',
    '2026-12-01T12:00:00', // no offset: not an instant
    '2026-12-01T12:00Z',
    '2026-12-01',
    '0001-01-01T00:00:00+01:00', // year 0 in UTC
    '9999-12-31T23:00:00-02:00', // year 10000 in UTC
    ' 2026-12-01T12:00:00Z',
    'yesterday',
  ])('refuses %s', (raw) => {
    expect(parseInstant(raw)).toBeNull();
  });
});

describe('validInstant (a request field)', () => {
  it('answers the instant of a valid value', () => {
    expect(validInstant('2026-12-01T12:00:00.250+02:00', 'at').toISOString()).toBe('2026-12-01T10:00:00.250Z');
  });

  it.each([['2027-02-30T00:00:00Z'], [''], [['2026-12-01T12:00:00Z', '2026-12-02T12:00:00Z']], [42]])(
    'refuses %p with INVALID_DATE naming the field',
    (raw) => {
      expect(() => validInstant(raw, 'at')).toThrow(expect.objectContaining({ key: 'INVALID_DATE', extra: { fields: { at: 'invalid date-time' } } }));
    },
  );
});
