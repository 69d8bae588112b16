import { refusal } from '../../../../test/support/planner-fixtures';
import * as fc from 'fast-check';
import { AppError } from '../../../common/errors/app-error';
import { parseAmount } from '../../../common/money/amount';
import { resolveTransfer } from './distribution';
import { DEFAULT_BALANCE_KEY, LegShare, LegSpec, Transfer, TransferSpec } from './transfer';

const ASSET = 'USD';

const amount = (value: string | bigint, asset = ASSET): LegShare => ({
  type: 'amount',
  asset,
  value: typeof value === 'bigint' ? value : parseAmount(value),
});
const share = (percentage: bigint, percentageOfPercentage = 100n): LegShare => ({ type: 'share', percentage, percentageOfPercentage });
const remaining: LegShare = { type: 'remaining' };
const leg = (alias: string, s: LegShare, balanceKey = DEFAULT_BALANCE_KEY): LegSpec => ({ alias, balanceKey, share: s });

const spec = (value: string | bigint, sources: LegSpec[], destinations: LegSpec[]): TransferSpec => ({
  asset: ASSET,
  value: typeof value === 'bigint' ? value : parseAmount(value),
  sources,
  destinations,
});

const amounts = (t: Transfer, side: 'sources' | 'destinations') => t[side].map((l) => [l.alias, l.balanceKey, l.amount]);
const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

describe('resolveTransfer (examples)', () => {
  it('keeps fixed amounts exactly as given, in order, with leg details', () => {
    const t = resolveTransfer(
      spec(
        '100.5',
        [{ ...leg('@a', amount('60.25')), description: 'first', metadata: { k: 'v' } }, leg('@b', amount('40.25'))],
        [leg('@c', amount('100.5'), 'savings')],
      ),
    );
    expect(t.asset).toBe(ASSET);
    expect(t.value).toBe(parseAmount('100.5'));
    expect(amounts(t, 'sources')).toEqual([
      ['@a', 'default', parseAmount('60.25')],
      ['@b', 'default', parseAmount('40.25')],
    ]);
    expect(t.sources[0].description).toBe('first');
    expect(t.sources[0].metadata).toEqual({ k: 'v' });
    expect(amounts(t, 'destinations')).toEqual([['@c', 'savings', parseAmount('100.5')]]);
  });

  it('splits a 50/50 share into two exact halves', () => {
    const t = resolveTransfer(spec('10.5', [leg('@a', amount('10.5'))], [leg('@b', share(50n)), leg('@c', share(50n))]));
    expect(amounts(t, 'destinations')).toEqual([
      ['@b', 'default', parseAmount('5.25')],
      ['@c', 'default', parseAmount('5.25')],
    ]);
  });

  it('applies percentageOfPercentage: 50% of 50% of 100 is 25', () => {
    const t = resolveTransfer(
      spec('100', [leg('@a', amount('100'))], [leg('@b', share(50n, 50n)), leg('@c', share(75n))]),
    );
    expect(amounts(t, 'destinations')).toEqual([
      ['@b', 'default', parseAmount('25')],
      ['@c', 'default', parseAmount('75')],
    ]);
  });

  it('gives one remaining leg exactly what the other legs leave', () => {
    const t = resolveTransfer(
      spec('100', [leg('@a', remaining), leg('@b', amount('0.000000000000000001')), leg('@c', share(10n))], [leg('@d', remaining)]),
    );
    expect(amounts(t, 'sources')).toEqual([
      ['@a', 'default', parseAmount('89.999999999999999999')],
      ['@b', 'default', 1n],
      ['@c', 'default', parseAmount('10')],
    ]);
    expect(amounts(t, 'destinations')).toEqual([['@d', 'default', parseAmount('100')]]);
  });

  it('refuses two remaining legs on one side', () => {
    const e = refusal(
      () => resolveTransfer(spec('100', [leg('@a', amount('100'))], [leg('@b', remaining), leg('@c', remaining)])),
      'VALUE_MISMATCH',
    );
    expect(e.message).toMatch(/remaining/);
  });

  it('refuses sources that total less or more than value', () => {
    refusal(() => resolveTransfer(spec('100', [leg('@a', amount('99.99'))], [leg('@b', amount('100'))])), 'VALUE_MISMATCH');
    refusal(
      () => resolveTransfer(spec('100', [leg('@a', amount('60')), leg('@x', amount('40.000000000000000001'))], [leg('@b', amount('100'))])),
      'VALUE_MISMATCH',
    );
  });

  it('refuses destinations that total less or more than value', () => {
    refusal(() => resolveTransfer(spec('100', [leg('@a', amount('100'))], [leg('@b', amount('99.999999999999999999'))])), 'VALUE_MISMATCH');
    refusal(() => resolveTransfer(spec('100', [leg('@a', amount('100'))], [leg('@b', share(60n)), leg('@c', share(50n))])), 'VALUE_MISMATCH');
  });

  it('refuses fixed legs that already exceed value even with a remaining leg', () => {
    refusal(() => resolveTransfer(spec('100', [leg('@a', amount('101')), leg('@r', remaining)], [leg('@b', amount('100'))])), 'VALUE_MISMATCH');
  });

  it('refuses a share that is not exact at 18 decimals and never rounds it (1e-18 split 33%)', () => {
    const e = refusal(
      () => resolveTransfer(spec(1n, [leg('@a', amount(1n))], [leg('@b', share(33n)), leg('@c', remaining)])),
      'SHARE_NOT_EXACT',
    );
    expect(e.message).toContain('0.000000000000000001');
    // half of an odd number of units is inexact too, even as a 50/50 split that nominally sums to 100%
    refusal(() => resolveTransfer(spec(3n, [leg('@a', share(50n)), leg('@x', share(50n))], [leg('@b', amount(3n))])), 'SHARE_NOT_EXACT');
  });

  it('resolves 1% of 1% of 10000 units to exactly 1 unit, but refuses it for 100 units instead of rounding to 0', () => {
    const t = resolveTransfer(spec(10_000n, [leg('@a', amount(10_000n))], [leg('@b', share(1n, 1n)), leg('@c', remaining)]));
    expect(amounts(t, 'destinations')).toEqual([
      ['@b', 'default', 1n],
      ['@c', 'default', 9_999n],
    ]);
    refusal(() => resolveTransfer(spec(100n, [leg('@a', amount(100n))], [leg('@b', share(1n, 1n)), leg('@c', remaining)])), 'SHARE_NOT_EXACT');
  });

  it('refuses an amount leg denominated in another asset', () => {
    const e = refusal(
      () => resolveTransfer(spec('10', [leg('@a', amount('10', 'BRL'))], [leg('@b', amount('10'))])),
      'ASSET_MISMATCH',
    );
    expect(e.message).toContain('BRL');
    refusal(() => resolveTransfer(spec('10', [leg('@a', amount('10'))], [leg('@b', amount('10', 'usd'))])), 'ASSET_MISMATCH');
  });

  it('refuses the same alias and balance key on both sides', () => {
    const e = refusal(
      () => resolveTransfer(spec('10', [leg('@a', amount('10'), 'k1')], [leg('@b', share(50n)), leg('@a', share(50n), 'k1')])),
      'AMBIGUOUS_ALIAS',
    );
    expect(e.message).toContain('@a');
  });

  it('allows the same alias on both sides with different balance keys', () => {
    const t = resolveTransfer(spec('10', [leg('@a', amount('10'))], [leg('@a', amount('10'), 'savings')]));
    expect(amounts(t, 'sources')).toEqual([['@a', 'default', parseAmount('10')]]);
    expect(amounts(t, 'destinations')).toEqual([['@a', 'savings', parseAmount('10')]]);
  });

  it('refuses a remaining leg that resolves to zero', () => {
    refusal(() => resolveTransfer(spec('10', [leg('@a', amount('10')), leg('@r', remaining)], [leg('@b', amount('10'))])), 'VALUE_MISMATCH');
    refusal(() => resolveTransfer(spec('10', [leg('@a', amount('10'))], [leg('@b', share(100n)), leg('@r', remaining)])), 'VALUE_MISMATCH');
  });

  it('refuses a zero share even when the other legs total value', () => {
    refusal(() => resolveTransfer(spec('10', [leg('@a', amount('10'))], [leg('@b', amount('10')), leg('@c', share(0n))])), 'VALUE_MISMATCH');
  });

  it('refuses a transfer with no source or no destination', () => {
    refusal(() => resolveTransfer(spec('10', [], [leg('@b', amount('10'))])), 'BAD_REQUEST');
    refusal(() => resolveTransfer(spec('10', [leg('@a', amount('10'))], [])), 'BAD_REQUEST');
  });
});

// ---------------------------------------------------------------------------------------------

const MAX_VALUE = 10n ** 38n - 1n; // 38 significant digits at most (G9)

/** A value and k >= 1 positive parts that sum to it exactly. */
const valueAndParts = (maxParts: number) =>
  fc.bigInt({ min: 1n, max: MAX_VALUE }).chain((value) =>
    (value === 1n
      ? fc.constant<bigint[]>([])
      : fc.uniqueArray(fc.bigInt({ min: 1n, max: value - 1n }), { maxLength: maxParts - 1 })
    ).map((cuts) => {
      const points = [0n, ...[...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), value];
      return { value, parts: points.slice(1).map((p, i) => p - points[i]) };
    }),
  );

/** Turns parts into leg specs; when remainingAt is set, that part becomes the remaining leg. */
const toLegs = (prefix: string, parts: bigint[], remainingAt: number | null): LegSpec[] =>
  parts.map((p, i) => leg(`@${prefix}${i}`, i === remainingAt ? remaining : amount(p)));

describe('resolveTransfer (properties)', () => {
  it('resolves random fixed splits (+ optional remaining) so each side sums exactly to value', () => {
    fc.assert(
      fc.property(
        valueAndParts(6).chain(({ value, parts }) =>
          fc.record({
            value: fc.constant(value),
            src: fc.constant(parts),
            srcRemaining: fc.option(fc.nat(parts.length - 1), { nil: null }),
            dst: fc.shuffledSubarray(parts, { minLength: parts.length }),
            dstRemaining: fc.option(fc.nat(parts.length - 1), { nil: null }),
          }),
        ),
        ({ value, src, srcRemaining, dst, dstRemaining }) => {
          const t = resolveTransfer(spec(value, toLegs('s', src, srcRemaining), toLegs('d', dst, dstRemaining)));
          expect(sum(t.sources.map((l) => l.amount))).toBe(value);
          expect(sum(t.destinations.map((l) => l.amount))).toBe(value);
          // every leg, including the remaining one, gets exactly its part
          expect(t.sources.map((l) => l.amount)).toEqual(src);
          expect(t.destinations.map((l) => l.amount)).toEqual(dst);
          expect(t.sources.map((l) => l.alias)).toEqual(src.map((_, i) => `@s${i}`));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('refuses random fixed splits that are off by any non-zero delta', () => {
    fc.assert(
      fc.property(
        valueAndParts(5),
        fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).filter((d) => d !== 0n),
        fc.boolean(),
        ({ value, parts }, delta, onSources) => {
          const skewed = [...parts];
          skewed[0] += delta;
          fc.pre(skewed[0] > 0n);
          const good = toLegs('g', parts, null);
          const bad = toLegs('b', skewed, null);
          refusal(() => resolveTransfer(spec(value, onSources ? bad : good, onSources ? good : bad)), 'VALUE_MISMATCH');
        },
      ),
      { numRuns: 300 },
    );
  });

  /** Percentages that sometimes partition 100 exactly and sometimes are arbitrary. */
  const percentages = fc.oneof(
    fc.uniqueArray(fc.integer({ min: 1, max: 99 }), { maxLength: 4 }).map((cuts) => {
      const points = [0, ...[...cuts].sort((a, b) => a - b), 100];
      return points.slice(1).map((p, i) => ({ p: BigInt(p - points[i]), pp: 100n }));
    }),
    fc.array(fc.record({ p: fc.bigInt({ min: 0n, max: 100n }), pp: fc.bigInt({ min: 1n, max: 100n }) }), {
      minLength: 1,
      maxLength: 5,
    }),
  );
  const shareValue = fc.oneof(
    fc.bigInt({ min: 1n, max: MAX_VALUE }),
    fc.bigInt({ min: 1n, max: 10n ** 30n }).map((v) => v * 10_000n),
    fc.bigInt({ min: 1n, max: 10_000n }),
  );

  it('resolves random shares exactly (share * value / 10000 == leg) or refuses them, never inexact', () => {
    fc.assert(
      fc.property(shareValue, percentages, fc.boolean(), fc.boolean(), (value, shares, withRemaining, sharesOnSources) => {
        const shareLegs = shares.map(({ p, pp }, i) => leg(`@s${i}`, share(p, pp)));
        const legs = withRemaining ? [...shareLegs, leg('@rest', remaining)] : shareLegs;
        const other = [leg('@other', amount(value))];
        const input = spec(value, sharesOnSources ? legs : other, sharesOnSources ? other : legs);

        // Reference model over exact rationals.
        const exact = shares.every(({ p, pp }) => (value * p * pp) % 10_000n === 0n);
        const parts = shares.map(({ p, pp }) => (value * p * pp) / 10_000n);
        const rest = value - sum(parts);
        const ok = exact && parts.every((x) => x > 0n) && (withRemaining ? rest > 0n : rest === 0n);

        let result: Transfer | undefined;
        let error: unknown;
        try {
          result = resolveTransfer(input);
        } catch (e) {
          error = e;
        }
        if (!ok) {
          expect(error).toBeInstanceOf(AppError);
          expect((error as AppError).key).toBe(exact ? 'VALUE_MISMATCH' : 'SHARE_NOT_EXACT');
          return;
        }
        expect(error).toBeUndefined();
        const side = sharesOnSources ? result!.sources : result!.destinations;
        shares.forEach(({ p, pp }, i) => {
          // the leg is the exact share: no rounding anywhere
          expect(side[i].amount * 10_000n).toBe(value * p * pp);
        });
        if (withRemaining) expect(side[shares.length].amount).toBe(rest);
        expect(sum(side.map((l) => l.amount))).toBe(value);
      }),
      { numRuns: 1000 },
    );
  });
});
