import * as fc from 'fast-check';
import { amountFromDb, amountProblem, formatAmount, parseAmount, SCALE } from './amount';

describe('amount', () => {
  it.each(['1', '0.5', '10.50', '123456789.123456789012345678', '0.000000000000000001'])('accepts %s', (v) => {
    expect(amountProblem(v)).toBeNull();
  });

  it.each([
    '0',
    '0.00',
    '-0',
    '-1',
    '+5',
    '1e3',
    '0x10',
    'NaN',
    'Infinity',
    ' 1',
    '1 ',
    '1,000',
    '00012',
    '.5',
    '5.',
    '1.0000000000000000001',
    '1234567890123456789012345678901234567890',
    '',
  ])('refuses %j', (v) => {
    expect(amountProblem(v)).not.toBeNull();
  });

  it.each([10, 9007199254740993n, null, undefined, {}, ['1']])('refuses non-strings (%p)', (v) => {
    expect(amountProblem(v)).toMatch(/decimal string/);
  });

  it('allows zero only when asked', () => {
    expect(amountProblem('0', { allowZero: true })).toBeNull();
  });

  it('parses exactly and formats canonically', () => {
    expect(parseAmount('10.50')).toBe(10_500_000_000_000_000_000n);
    expect(formatAmount(parseAmount('10.50'))).toBe('10.5');
    expect(formatAmount(-parseAmount('0.000000000000000001'))).toBe('-0.000000000000000001');
    expect(formatAmount(0n)).toBe('0');
  });

  it('reads Postgres NUMERIC text with trailing zeros and signs', () => {
    expect(amountFromDb('-12.340000000000000000')).toBe(-parseAmount('12.34'));
    expect(amountFromDb('0')).toBe(0n);
    expect(() => amountFromDb('1e5')).toThrow();
  });

  it('round-trips any scaled integer through format and parse', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 1n, max: 10n ** 37n }), (units) => {
        expect(parseAmount(formatAmount(units))).toBe(units);
        expect(amountFromDb(formatAmount(-units))).toBe(-units);
      }),
    );
    expect(SCALE).toBe(18);
  });
});
