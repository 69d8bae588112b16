import { arrayLiteral, plainArrayLiteral } from './array-literal';

describe('arrayLiteral', () => {
  it('quotes every element and writes NULL for null', () => {
    expect(arrayLiteral(['a', null, '1.5'], (v) => v)).toBe('{"a",NULL,"1.5"}');
    expect(arrayLiteral([], (v: string) => v)).toBe('{}');
  });

  it('escapes quotes and backslashes, and keeps the characters that are special only unquoted', () => {
    expect(arrayLiteral(['say "hi"', 'back\\slash', '{a,b} NULL'], (v) => v)).toBe('{"say \\"hi\\"","back\\\\slash","{a,b} NULL"}');
  });

  it('maps each row through the column accessor', () => {
    expect(arrayLiteral([{ id: 'x' }, { id: 'y' }], (r) => r.id)).toBe('{"x","y"}');
  });

  it('plainArrayLiteral quotes the same way without the escaping pass (for values that cannot hold quotes)', () => {
    const rows = ['0193b2a4-7c1e-7000-8000-000000000001', null, '-12.5', '(0,17)', '2026-11-25T10:00:00.000Z'];
    expect(plainArrayLiteral(rows, (v) => v)).toBe(arrayLiteral(rows, (v) => v));
    expect(plainArrayLiteral([], (v: string) => v)).toBe('{}');
  });
});
