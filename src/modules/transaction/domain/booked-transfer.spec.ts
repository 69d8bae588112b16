import { AssertionFailure } from '../../../common/errors/app-error';
import { BookedOperation, heldTransfer, legsOf, postedTransfer } from './booked-transfer';

const op = (type: BookedOperation['type'], alias: string, amount: bigint, extra: Partial<BookedOperation> = {}): BookedOperation => ({
  type,
  accountAlias: alias,
  balanceKey: 'default',
  assetCode: 'USD',
  amount,
  description: null,
  chartOfAccounts: null,
  metadata: {},
  ...extra,
});
const leg = (alias: string, amount: bigint) => ({ alias, balanceKey: 'default', amount });

describe('legsOf', () => {
  it('makes one leg per operation of the type, in order, with its details', () => {
    const ops = [
      op('DEBIT', '@a', 3n, { description: 'rent', chartOfAccounts: 'c1', metadata: { k: 'v' } }),
      op('CREDIT', '@b', 3n),
      op('DEBIT', '@a', 2n, { balanceKey: 'savings' }),
    ];
    expect(legsOf(ops, 'DEBIT')).toEqual([
      { alias: '@a', balanceKey: 'default', amount: 3n, description: 'rent', chartOfAccounts: 'c1', metadata: { k: 'v' } },
      { alias: '@a', balanceKey: 'savings', amount: 2n, metadata: {} },
    ]);
  });
});

describe('postedTransfer (what a revert swaps)', () => {
  it('takes DEBITs as sources and CREDITs as destinations; a committed hold\'s ON_HOLDs are left out', () => {
    const t = postedTransfer({ assetCode: 'USD' }, [op('ON_HOLD', '@a', 5n), op('DEBIT', '@a', 5n), op('CREDIT', '@b', 4n), op('CREDIT', '@c', 1n)]);
    expect(t).toEqual({
      asset: 'USD',
      value: 5n,
      sources: [{ ...leg('@a', 5n), metadata: {} }],
      destinations: [{ ...leg('@b', 4n), metadata: {} }, { ...leg('@c', 1n), metadata: {} }],
    });
  });

  it('refuses books whose debits and credits differ, or that have none', () => {
    expect(() => postedTransfer({ assetCode: 'USD' }, [op('DEBIT', '@a', 5n), op('CREDIT', '@b', 4n)])).toThrow(AssertionFailure);
    expect(() => postedTransfer({ assetCode: 'USD' }, [])).toThrow(AssertionFailure);
  });

  it('refuses an operation in another asset', () => {
    expect(() => postedTransfer({ assetCode: 'USD' }, [op('DEBIT', '@a', 5n), op('CREDIT', '@b', 5n, { assetCode: 'EUR' })])).toThrow(AssertionFailure);
  });
});

describe('heldTransfer (what a commit or cancel settles)', () => {
  const hold = { assetCode: 'USD', destination: ['@c', '@d'] };
  const holds = [op('ON_HOLD', '@a', 30n), op('ON_HOLD', '@b', 20n)];

  it('takes the sources and value from the ON_HOLD operations and the destinations from the request', () => {
    const t = heldTransfer(hold, holds, [leg('@c', 40n), leg('@d', 10n)]);
    expect(t.value).toBe(50n);
    expect(t.sources.map((l) => [l.alias, l.amount])).toEqual([['@a', 30n], ['@b', 20n]]);
    expect(t.destinations).toEqual([leg('@c', 40n), leg('@d', 10n)]);
  });

  it('a cancel needs no destinations', () => {
    expect(heldTransfer(hold, holds, null)).toMatchObject({ value: 50n, destinations: [] });
  });

  it('refuses requested destinations that do not total what is held', () => {
    expect(() => heldTransfer(hold, holds, [leg('@c', 400n), leg('@d', 100n)])).toThrow(AssertionFailure);
    expect(() => heldTransfer(hold, holds, [leg('@c', 40n)])).toThrow(AssertionFailure);
  });

  it('refuses requested destinations that are not the transaction\'s destination accounts', () => {
    expect(() => heldTransfer(hold, holds, [leg('@c', 40n), leg('@x', 10n)])).toThrow(AssertionFailure);
  });

  it('refuses a hold without ON_HOLD operations', () => {
    expect(() => heldTransfer(hold, [], null)).toThrow(AssertionFailure);
  });
});
