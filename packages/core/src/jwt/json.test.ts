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

describe('hasDuplicateKeys on nested values', () => {
  it('finds a duplicate inside an object inside an array, and none across sibling objects', () => {
    expect(parseJsonObject('{"a":[1,[{"x":1,"y":{"z":1,"z":2}}]]}')).toBeUndefined();
    expect(parseJsonObject('{"a":[{"x":1},{"x":1}],"x":{"x":{"x":1}}}')).toEqual({
      a: [{ x: 1 }, { x: 1 }],
      x: { x: { x: 1 } },
    });
    expect(parseJsonObject('{"a" \n:\t1, "b":"\\\\", "c":"\\\\\\"", "a" : 2}')).toBeUndefined();
    expect(parseJsonObject('{"__proto__":1,"__proto__":2}')).toBeUndefined();
  });
  it('walks a deeply nested value without exhausting the stack', () => {
    const depth = 100_000;
    const text = `{"a":${'['.repeat(depth)}{"b":1,"b":2}${']'.repeat(depth)}}`;
    expect(parseJsonObject(text)).toBeUndefined();
    expect(parseJsonObject(`{"a":${'['.repeat(depth)}{"b":1}${']'.repeat(depth)}}`)).toBeDefined();
  });
  it('finds a duplicate injected into any nested object (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.string(), fc.jsonValue(), (outer, k, v) => {
        const inner = `{${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'},${JSON.stringify(k)}:1}`;
        const text = `{"wrap":[${JSON.stringify(outer) ?? 'null'},{"in":${inner}}]}`;
        expect(hasDuplicateKeys(text)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
