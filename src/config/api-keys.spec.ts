import { createHash } from 'crypto';
import { ApiKeysError, parseApiKeys, roleAtLeast } from './api-keys';

const hash = (s: string) => createHash('sha256').update(s).digest('hex');
const ORG = '01a213bb-128d-7838-b9d9-6aef1a5c667f';
const ORG2 = '01a213bb-128d-7838-b9d9-6aef1a5c6680';

describe('parseApiKeys', () => {
  it('reads name:role:sha256hex with an optional organization scope', () => {
    const keys = parseApiKeys(`ci:read:${hash('a')}, ops:admin:${hash('b')}:${ORG}|${ORG2.toUpperCase()},`);
    expect(keys.map((k) => [k.name, k.role, k.hash.toString('hex'), k.organizations && [...k.organizations]])).toEqual([
      ['ci', 'read', hash('a'), null],
      ['ops', 'admin', hash('b'), [ORG, ORG2]],
    ]);
  });

  it('reads an optional rate limit after the hash or the scope, none by default', () => {
    const keys = parseApiKeys(`a:read:${hash('a')}, b:write:${hash('b')}:250/s, c:admin:${hash('c')}:${ORG}:6000/min`);
    expect(keys.map((k) => [k.name, k.rateLimit, k.organizations && [...k.organizations]])).toEqual([
      ['a', null, null],
      ['b', { limit: 250, windowMs: 1000 }, null],
      ['c', { limit: 6000, windowMs: 60000 }, [ORG]],
    ]);
  });

  it('is empty for an empty variable', () => {
    expect(parseApiKeys('')).toEqual([]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });

  it.each([
    ['missing parts', 'ci:read'],
    ['an unknown role', `ci:root:${hash('a')}`],
    ['a hash that is not 64 hex digits', 'ci:read:1234'],
    ['a scope that is not UUIDs', `ci:read:${hash('a')}:acme`],
    ['an empty scope', `ci:read:${hash('a')}:`],
    ['a bad name', `c i:read:${hash('a')}`],
    ['a rate limit of zero', `ci:read:${hash('a')}:0/s`],
    ['a rate limit per hour', `ci:read:${hash('a')}:10/h`],
    ['a rate limit before the scope', `ci:read:${hash('a')}:10/s:${ORG}`],
    ['the same name twice', `ci:read:${hash('a')},ci:write:${hash('b')}`],
    ['the same secret twice', `ci:read:${hash('a')},ops:write:${hash('a')}`],
  ])('refuses %s without echoing the hash', (_, raw) => {
    expect(() => parseApiKeys(raw)).toThrow(ApiKeysError);
    try {
      parseApiKeys(raw);
    } catch (err) {
      expect((err as Error).message).not.toContain(hash('a'));
    }
  });
});

describe('roleAtLeast', () => {
  it('orders admin > write > read', () => {
    expect(roleAtLeast('admin', 'write')).toBe(true);
    expect(roleAtLeast('write', 'read')).toBe(true);
    expect(roleAtLeast('write', 'admin')).toBe(false);
    expect(roleAtLeast('read', 'write')).toBe(false);
    expect(roleAtLeast('read', 'read')).toBe(true);
  });
});
