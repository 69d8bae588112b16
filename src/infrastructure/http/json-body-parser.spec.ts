import * as fc from 'fast-check';
import { AppError } from '../../common/errors/app-error';
import { parseJsonBody } from './json-body-parser';

function refusal(text: string, depth = 32): string {
  try {
    parseJsonBody(text, depth);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    expect((err as AppError).key).toBe('INVALID_BODY');
    return (err as AppError).message;
  }
  throw new Error(`accepted ${text.slice(0, 80)}`);
}

describe('parseJsonBody', () => {
  it('parses ordinary JSON, strings with escapes, brackets and colons inside strings', () => {
    expect(parseJsonBody('{"a":"x\\"}{[:","b":[1,{"c":"\\\\"}],"d":null}', 32)).toEqual({ a: 'x"}{[:', b: [1, { c: '\\' }], d: null });
  });

  it('finds string ends around escapes: plain strings before and after escaped ones, backslashes at the end', () => {
    const text = '{"a":"x\\\\","b":"y","c":"\\"q\\"","d":"z\\\\\\"","e":[]}';
    expect(parseJsonBody(text, 32)).toEqual(JSON.parse(text));
    expect(refusal('{"a":"\\n","b":1,"c":"\\"","b":2}')).toContain('more than once');
    expect(refusal('{"a":"\\"}')).not.toContain('more than once');
  });

  it('allows the same key in different objects', () => {
    expect(parseJsonBody('{"a":{"k":1},"b":{"k":2},"c":[{"k":1},{"k":2}]}', 32)).toEqual({ a: { k: 1 }, b: { k: 2 }, c: [{ k: 1 }, { k: 2 }] });
  });

  it('refuses a repeated key, also when written with an escape', () => {
    expect(refusal('{"a":1,"a":2}')).toContain('more than once');
    expect(refusal('{"a":1,"\\u0061":2}')).toContain('more than once');
    expect(refusal('{"x":{"a":1 , "a" :2}}')).toContain('more than once');
  });

  it('counts depth over objects and arrays', () => {
    expect(parseJsonBody('[[[1]]]', 3)).toEqual([[[1]]]);
    expect(refusal('[[[[1]]]]', 3)).toContain('deeper than 3');
    expect(refusal('{"a":{"b":{"c":{}}}}', 3)).toContain('deeper than 3');
    expect(refusal('['.repeat(100_000) + ']'.repeat(100_000))).toContain('deeper than 32');
  });

  it('ignores brackets inside strings when counting depth', () => {
    expect(parseJsonBody(`{"a":"${'['.repeat(100)}"}`, 2)).toEqual({ a: '['.repeat(100) });
  });

  it.each(['__proto__', 'constructor', 'prototype', '\\u005f_proto__'])('refuses the key %s at any depth', (key) => {
    expect(refusal(`{"${key}":{}}`)).toContain('not allowed');
    expect(refusal(`{"a":[{"${key}":1}]}`)).toContain('not allowed');
  });

  it('accepts those words as values', () => {
    expect(parseJsonBody('{"a":"__proto__","b":["constructor"]}', 32)).toEqual({ a: '__proto__', b: ['constructor'] });
  });

  it('refuses NUL characters, not the text \\u0000 written with an escaped backslash', () => {
    expect(refusal('{"a":"x\\u0000"}')).toContain('NUL');
    expect(parseJsonBody('{"a":"\\\\u0000"}', 32)).toEqual({ a: '\\u0000' });
  });

  it.each(['', '{', '{"a":1,}', "{'a':1}", '{"a":1}x', 'NaN', '\uFEFF{}'])('refuses invalid JSON %j', (text) => {
    refusal(text);
  });
});

describe('parseJsonBody on bodies without escapes (the one-pass path)', () => {
  const RESERVED = new Set(['__proto__', 'constructor', 'prototype']);
  const plain = fc
    .jsonValue({ maxDepth: 6 })
    .map((v) => JSON.stringify(v))
    .filter((t) => !t.includes('\\') && ![...RESERVED].some((k) => t.includes(`"${k}"`)));

  it('answers what JSON.parse answers', () => {
    fc.assert(fc.property(plain, (text) => expect(parseJsonBody(text, 32)).toEqual(JSON.parse(text))));
  });

  it('refuses a key repeated in any object', () => {
    const withObject = plain.filter((t) => /\{"[^"]*":/.test(t));
    fc.assert(
      fc.property(withObject, fc.nat(), (text, pick) => {
        // Insert "k":0, just before an existing key "k" of one object.
        const keys = [...text.matchAll(/([{,])"([^"]*)":/g)];
        const m = keys[pick % keys.length];
        const at = m.index! + 1;
        const edited = `${text.slice(0, at)}"${m[2]}":0,${text.slice(at)}`;
        expect(refusal(edited)).toContain('more than once');
      }),
    );
  });

  it('still counts depth and refuses reserved keys written plainly', () => {
    expect(refusal('{"a":[{"b":{"c":[1]}}]}', 4)).toContain('deeper than 4');
    expect(refusal('{"a":[{"constructor":1}]}')).toContain('not allowed');
    expect(parseJsonBody('{"a":"prototype","prototypes":1,"b":["__proto__"]}', 32)).toEqual({ a: 'prototype', prototypes: 1, b: ['__proto__'] });
  });
});
