import { arrayLiteral } from './array-literal';

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
});
