/**
 * ListParses (src/validation/list-parses.ts): one parse per list content and scope, its result or
 * its very error handed to every later use, a pending promise shared, different scopes and
 * different lists apart, and nothing between two instances (two requests).
 */
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../src/core/errors.js';
import { ListParses } from '../../../src/validation/list-parses.js';
import { normalizeDomainNames } from '../../../src/validation/names.js';

describe('ListParses', () => {
  it('parses a list once for equal contents under one scope, apart for another scope, list or instance', () => {
    const lists = new ListParses();
    let runs = 0;
    const parse = (items: string[]) => () => (runs++, items.map((s) => s.toUpperCase()));
    const a = lists.once('s', ['x', 'y'], parse(['x', 'y']));
    expect(lists.once('s', ['x', 'y'], parse(['x', 'y']))).toBe(a); // another array, the same content
    expect(runs).toBe(1);
    lists.once('t', ['x', 'y'], parse(['x', 'y']));
    lists.once('s', ['x,y'], parse(['x,y'])); // not the same list, however it joins
    lists.once('s', ['x', 'y', ''], parse(['x', 'y', '']));
    expect(runs).toBe(4);
    new ListParses().once('s', ['x', 'y'], parse(['x', 'y']));
    expect(runs).toBe(5);
  });

  it('throws the first parse\'s error again without parsing again', () => {
    const lists = new ListParses();
    let runs = 0;
    const bad = () => {
      runs++;
      throw new ValidationError('names[1]', 'no');
    };
    let first: unknown;
    try {
      lists.once('s', ['a', 'b'], bad);
    } catch (err) {
      first = err;
    }
    expect(first).toBeInstanceOf(ValidationError);
    expect(() => lists.once('s', ['a', 'b'], bad)).toThrow(first as Error);
    expect(runs).toBe(1);
  });

  it('hands a pending parse to uses that start before it settles, rejection included', async () => {
    const lists = new ListParses();
    let runs = 0;
    const names = ['bücher.example', 'not ok.example'];
    const parse = () => (runs++, normalizeDomainNames(names, (i) => `names[${i}]`));
    const all = await Promise.allSettled([lists.once('n', names, parse), lists.once('n', names, parse), lists.once('n', names, parse)]);
    expect(runs).toBe(1);
    expect(all.every((o) => o.status === 'rejected' && (o.reason as ValidationError).details.field === 'names[1]')).toBe(true);
    const ok = ['bücher.example'];
    const [x, y] = await Promise.all([lists.once('n', ok, () => normalizeDomainNames(ok, (i) => `names[${i}]`)), lists.once('n', ok, parse)]);
    expect(x).toEqual(['xn--bcher-kva.example']);
    expect(y).toBe(x);
    expect(runs).toBe(1);
  });
});
