import { AppError } from '../../../common/errors/app-error';
import { formatAmount } from '../../../common/money/amount';
import { Leg, LegSpec, Transfer, TransferSpec } from './transfer';

const HUNDRED = 100n;

function legAmount(spec: LegSpec, asset: string, value: bigint, side: string, index: number): bigint | null {
  const s = spec.share;
  switch (s.type) {
    case 'amount':
      if (s.asset !== asset) {
        throw new AppError('ASSET_MISMATCH', `${side}[${index}] amount asset ${s.asset} differs from send.asset ${asset}.`);
      }
      return s.value;
    case 'share': {
      // As in Midaz, a percentageOfPercentage of 0 (or none) means 100.
      const ofPercentage = s.percentageOfPercentage === 0n ? HUNDRED : s.percentageOfPercentage;
      const scaled = value * s.percentage * ofPercentage;
      if (scaled % (HUNDRED * HUNDRED) !== 0n) {
        throw new AppError(
          'SHARE_NOT_EXACT',
          `${side}[${index}] share ${s.percentage}% of ${ofPercentage}% of ${formatAmount(value)} is not exact at 18 decimal places; use amounts instead.`,
        );
      }
      return scaled / (HUNDRED * HUNDRED);
    }
    case 'remaining':
      return null;
  }
}

/** Splits one side exactly: fixed amounts and shares first, then the single `remaining` leg. */
function distribute(specs: LegSpec[], asset: string, value: bigint, side: 'source' | 'destination'): Leg[] {
  const amounts = specs.map((spec, i) => legAmount(spec, asset, value, side, i));
  const remainingLegs = amounts.filter((a) => a === null).length;
  if (remainingLegs > 1) {
    throw new AppError('VALUE_MISMATCH', `Only one ${side} leg may take the remaining amount.`);
  }
  const fixed = amounts.reduce<bigint>((sum, a) => sum + (a ?? 0n), 0n);
  const rest = value - fixed;
  if (remainingLegs === 1 ? rest <= 0n : rest !== 0n) {
    throw new AppError(
      'VALUE_MISMATCH',
      `The ${side} legs total ${formatAmount(fixed)}${remainingLegs ? ' before the remaining leg' : ''}, but send.value is ${formatAmount(value)}.`,
    );
  }
  return specs.map((spec, i) => {
    const amount = amounts[i] ?? rest;
    if (amount <= 0n) throw new AppError('VALUE_MISMATCH', `${side}[${i}] resolves to a zero amount.`);
    return {
      alias: spec.alias,
      balanceKey: spec.balanceKey,
      amount,
      description: spec.description,
      chartOfAccounts: spec.chartOfAccounts,
      metadata: spec.metadata,
    };
  });
}

/**
 * Resolves every leg to an exact amount (pure). Sources and destinations must each total
 * send.value exactly; a share that does not divide exactly is refused, never rounded.
 */
export function resolveTransfer(spec: TransferSpec): Transfer {
  if (spec.sources.length === 0 || spec.destinations.length === 0) {
    throw new AppError('BAD_REQUEST', 'A transaction needs at least one source and one destination.');
  }
  const sourceAliases = new Set(spec.sources.map((l) => `${l.alias}\u0000${l.balanceKey}`));
  const both = spec.destinations.find((l) => sourceAliases.has(`${l.alias}\u0000${l.balanceKey}`));
  if (both) {
    throw new AppError('AMBIGUOUS_ALIAS', `${both.alias} appears as both a source and a destination.`);
  }
  return {
    asset: spec.asset,
    value: spec.value,
    sources: distribute(spec.sources, spec.asset, spec.value, 'source'),
    destinations: distribute(spec.destinations, spec.asset, spec.value, 'destination'),
  };
}
