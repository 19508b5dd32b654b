import { parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { declaredVariables, documentBytes, jsonLength, RetainedBytes, RETAINED_BYTES_PER_COMMENT } from '../../../src/limits/retained.js';

describe('jsonLength', () => {
  it('is the length JSON.stringify writes, for any parsed JSON', () => {
    for (const v of [null, true, 0, -1.5e-7, 'é"\\\n\u0001', [], {}, [1, [2, [3, {}]]], { a: 1, 'b"': [null, 'x'], c: { d: {} } }]) {
      expect(jsonLength(v)).toBe(JSON.stringify(v).length);
    }
  });

  it('counts values nested deeper than JSON.stringify can write, and stops past its bound', () => {
    const text = `${'['.repeat(200_000)}1${']'.repeat(200_000)}`;
    expect(jsonLength(JSON.parse(text))).toBe(text.length);
    expect(jsonLength(Array(1_000_000).fill(0), 1000)).toBeGreaterThan(1000);
  });
});

describe('declaredVariables', () => {
  const op = parse('query ($a: Int, $b: String) { viewer { id } }').definitions[0] as OperationDefinitionNode;
  it('keeps only the names the operation declares', () => {
    expect(declaredVariables(op, { a: 1, c: 'x'.repeat(10) })).toEqual({ a: 1 });
    expect(declaredVariables(op, { c: 1 })).toBeUndefined();
    expect(declaredVariables(op, null)).toBeUndefined();
  });
});

describe('RetainedBytes', () => {
  it('counts a document shared by several operations once, and refuses what would pass max naming the bigger part', () => {
    const doc = parse('{ viewer { id } }');
    const r = new RetainedBytes(1000);
    expect(r.hold('1', doc, 400, 100)).toBeUndefined();
    expect(r.hold('2', doc, 400, 100)).toBeUndefined();
    expect(r.held).toBe(600);
    expect(r.hold('3', doc, 400, 500)?.extensions).toEqual({ code: 'PAYLOAD_TOO_LARGE', limit: 'wsRetainedBytes', max: 1000, field: 'variables' });
    expect(r.hold('3', parse('{ viewer { id } }'), 900, 0)?.extensions).toMatchObject({ field: 'query' });
    r.release('1');
    r.keepOnly({ 9: null });
    expect(r.held).toBe(0);
  });

  it("counts what the connection keeps of its connection_init for as long as it is open, and names it when refusing", () => {
    const r = new RetainedBytes(1000, 700);
    expect(r.held).toBe(700);
    const refusal = r.hold('1', parse('{ viewer { id } }'), 200, 200);
    expect(refusal?.extensions).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 'wsRetainedBytes' });
    expect(refusal?.message).toContain('and its connection_init (700)');
    r.keepOnly({});
    expect(r.held).toBe(700);
  });

  it('estimates a document by its text and its tokens, comments included', () => {
    const text = `{ viewer { id } }\n${'#\n'.repeat(10)}`;
    expect(documentBytes(text, parse(text)) - documentBytes(text.slice(0, 17), parse(text.slice(0, 17)))).toBe(21 + 10 * RETAINED_BYTES_PER_COMMENT);
  });
});
