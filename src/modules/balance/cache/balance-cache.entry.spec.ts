import { Balance } from '../balance.types';
import { balanceCacheKey, compareVersions, decodeState, encodeEntry, isVersion, sameEntry } from './balance-cache.entry';

const balance: Balance = {
  id: '0190f000-0000-7000-8000-000000000001',
  organizationId: '0190f000-0000-7000-8000-000000000002',
  ledgerId: '0190f000-0000-7000-8000-000000000003',
  accountId: '0190f000-0000-7000-8000-000000000004',
  alias: '@alice',
  key: 'default',
  assetCode: 'USD',
  available: 1_500_250_000_000_000_000_000n, // 1500.25
  onHold: 0n,
  version: 12n,
  accountType: 'deposit',
  allowSending: true,
  allowReceiving: false,
  createdAt: new Date('2025-01-02T03:04:05.678Z'),
  updatedAt: new Date('2025-01-02T03:04:06.000Z'),
  deletedAt: null,
};

describe('balance cache entries', () => {
  it('keys an entry by ledger hash tag, alias and balance key', () => {
    expect(balanceCacheKey(balance)).toBe('ledger:{0190f000-0000-7000-8000-000000000003}:balance:@alice:default');
  });

  it('keeps keys unambiguous when aliases and balance keys contain colons', () => {
    const a = balanceCacheKey({ ledgerId: 'L', alias: 'a:b', key: 'c' });
    const b = balanceCacheKey({ ledgerId: 'L', alias: 'a', key: 'b:c' });
    expect(a).toBe('ledger:{L}:balance:a%3Ab:c');
    expect(a).not.toBe(b);
  });

  it('encodes amounts and the version as exact decimal strings', () => {
    expect(encodeEntry(balance)).toMatchObject({ available: '1500.25', onHold: '0', version: '12', allowReceiving: 'false' });
  });

  it('decodes the state of an entry and refuses malformed ones', () => {
    const raw = encodeEntry(balance);
    expect(decodeState(raw)).toEqual({ version: 12n, available: balance.available, onHold: 0n, updatedAt: balance.updatedAt });
    expect(decodeState({ ...raw, version: '1e3' })).toBeNull();
    expect(decodeState({ ...raw, available: 'abc' })).toBeNull();
    expect(decodeState({ ...raw, updatedAt: 'yesterday' })).toBeNull();
    expect(sameEntry(raw, balance)).toBe(true);
    expect(sameEntry({ ...raw, allowSending: 'false' }, balance)).toBe(false);
  });

  it('compares versions exactly beyond the range of a double', () => {
    expect(compareVersions('9', '10')).toBe(-1);
    expect(compareVersions('9007199254740993', '9007199254740992')).toBe(1);
    expect(compareVersions('42', '42')).toBe(0);
  });

  it('takes only canonical integers as versions: "003" is no version (it would compare as newer than "12")', () => {
    const raw = encodeEntry(balance);
    expect(decodeState({ ...raw, version: '003' })).toBeNull();
    expect(decodeState({ ...raw, version: '0' })).toMatchObject({ version: 0n });
    expect(['0', '7', '12', '9007199254740993'].every(isVersion)).toBe(true);
    expect(['003', '00', '012', '', '+1', '-1', '1.0', ' 1'].some(isVersion)).toBe(false);
  });
});
