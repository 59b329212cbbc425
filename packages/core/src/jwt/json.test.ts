import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hasDuplicateKeys, parseJsonObject } from './json.js';

describe('parseJsonObject', () => {
  it('parses objects and refuses other JSON values and invalid JSON', () => {
    expect(parseJsonObject('{"alg":"RS256","n":[1,{"a":2}]}')).toEqual({ alg: 'RS256', n: [1, { a: 2 }] });
    for (const bad of ['[]', 'null', '1', '"x"', '{', '{"a":1,}', "{'a':1}", ''])
      expect(parseJsonObject(bad)).toBeUndefined();
  });
  it('refuses duplicate member names at any depth, escaped or not', () => {
    expect(parseJsonObject('{"sub":"alice","sub":"admin"}')).toBeUndefined();
    expect(parseJsonObject('{"sub":"alice","\\u0073ub":"admin"}')).toBeUndefined();
    expect(parseJsonObject('{"a":{"b":1,"b":2}}')).toBeUndefined();
    expect(parseJsonObject('{"a":[{"b":1},{"b":2}]}')).toEqual({ a: [{ b: 1 }, { b: 2 }] });
    expect(parseJsonObject('{"a":{"b":1},"b":2}')).toEqual({ a: { b: 1 }, b: 2 });
    expect(parseJsonObject('{"a":"\\"b\\":","b":1}')).toEqual({ a: '"b":', b: 1 });
    expect(parseJsonObject('{"a\\\\":1,"a":2}')).toEqual({ 'a\\': 1, a: 2 });
  });
  it('never reports a duplicate in what JSON.stringify produces (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(hasDuplicateKeys(JSON.stringify(v) ?? 'null')).toBe(false);
      }),
      { numRuns: 500 },
    );
  });
  it('always finds a duplicated name injected into an object (property)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), fc.string(), fc.jsonValue(), (obj, k, v) => {
        const body = JSON.stringify({ ...obj, [k]: v }).slice(1, -1);
        const text = `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}${body.length > 0 ? ',' : ''}${body}}`;
        expect(hasDuplicateKeys(text)).toBe(true);
        expect(parseJsonObject(text)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
