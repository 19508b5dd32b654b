import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, parse, subscribe } from 'graphql';
import { checkArgumentValue, guardArguments, MAX_ARGUMENT_DEPTH } from '../../../src/validation/guard.js';
import { isBlank, MAX_ARGUMENT_CHARS, MAX_LIST_ITEMS } from '../../../src/validation/text.js';
import { refusal } from './helpers.js';

describe('every argument value', () => {
  it('passes ordinary text, Unicode, line breaks, numbers, dates and nulls', () => {
    for (const v of ['bücher.example', 'Line 1\nLine 2\tTab', '😀', 'x'.repeat(MAX_ARGUMENT_CHARS), 42, true, null, new Date(), [['a']], { a: { b: ['c'] } }]) {
      expect(() => checkArgumentValue('arg', v)).not.toThrow();
    }
  });

  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['a lone high surrogate', 'a\ud800b', 'lone surrogate'],
    ['a lone low surrogate', '\udc00', 'lone surrogate'],
    ['a C0 control', 'a\u001bb', 'U+001B'],
    ['a C1 control', 'a\u0085b', 'U+0085'],
    ['U+FFFF', 'a\uffffb', 'U+FFFF'],
    ['an over-long string', 'x'.repeat(MAX_ARGUMENT_CHARS + 1), 'longer than'],
  ])('refuses %s, never quoting it', (_why, value, why) => {
    const err = refusal(() => checkArgumentValue('name', value));
    expect(err.details.field).toBe('name');
    expect(err.message).toContain(why);
    expect(err.message.length).toBeLessThan(120);
  });

  it('names the path inside input objects and lists', () => {
    const input = { postalInfo: [{ name: 'ok', street: ['ok', 'bad\u0000'] }] };
    expect(refusal(() => checkArgumentValue('input', input)).details.field).toBe('input.postalInfo[0].street[1]');
    expect(refusal(() => checkArgumentValue('names', Array(MAX_LIST_ITEMS + 1).fill('a'))).details.field).toBe('names');
  });

  it('refuses a value made only of invisible characters (Cf, Default_Ignorable_Code_Point, with white space), never quoting it; passes blank ones and ones with anything visible', () => {
    const invisible = ['\u200B', '\u2060', '\u00AD', '\uFEFF', '\u200C\u200D', '\u200E', '\u202E', '\u061C', '\u180E', '\u034F', '\uFE0F', '\u3164', '\u115F', '\uFFA0', '\u{E0001}', '\u{1D173}', ' \u200B\u3000', '\u2028\u2060'];
    for (const v of invisible) {
      const err = refusal(() => checkArgumentValue('input.postalInfo[0].org', { x: v }.x));
      expect(err.details.field, JSON.stringify(v)).toBe('input.postalInfo[0].org');
      expect(err.message).toMatch(/^input\.postalInfo\[0\]\.org: holds only invisible characters/);
    }
    // Below an argument, named by its path.
    expect(refusal(() => checkArgumentValue('input', { registrantInfo: { name: '\u2060' } })).details.field).toBe('input.registrantInfo.name');
    // Where an empty value may clear the field the message says so; an auth code never takes one.
    expect(refusal(() => checkArgumentValue('input.postalInfo[0].org', '\u200B')).message).toMatch(/give a visible value, or "" where the field takes an empty one$/);
    expect(refusal(() => checkArgumentValue('domains[2].authInfo', '\u200B')).message).toMatch(/give a visible value$/);
    for (const v of ['', ' ', '\u3000', '\u2028', '\u2029 \u00A0', 'a\u200B', '\u200BAcme', 'Zoë\u00AD', '\u2800']) expect(() => checkArgumentValue('org', v), JSON.stringify(v)).not.toThrow();
  });

  it('counts as blank only white space (Unicode White_Space: U+2028 and U+3000 are; U+200B, U+FEFF are not)', () => {
    for (const v of ['', ' ', '\t', '\u00A0', '\u2028', '\u2029', '\u3000', '\u205F\u202F']) expect(isBlank(v), JSON.stringify(v)).toBe(true);
    for (const v of ['\u200B', '\uFEFF', '\u00AD', 'a', ' a ']) expect(isBlank(v), JSON.stringify(v)).toBe(false);
  });

  it('refuses lists and objects nested deeper than MAX_ARGUMENT_DEPTH (federation _Any takes any JSON), naming the place; the walk never overflows', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    const err = refusal(() => checkArgumentValue('representations', [deep]));
    expect(err.details.field).toBe(`representations[0]${'.a'.repeat(MAX_ARGUMENT_DEPTH - 1)}`);
    expect(err.message).toContain(`is nested more than ${MAX_ARGUMENT_DEPTH} lists or objects deep`);
    let ok: unknown = 'x';
    for (let i = 0; i < MAX_ARGUMENT_DEPTH; i++) ok = [ok];
    expect(() => checkArgumentValue('v', ok)).not.toThrow();
  });

  it('refuses a 1.9 MB string with a short message that quotes none of it', () => {
    const err = refusal(() => checkArgumentValue('name', 'a'.repeat(1_900_000)));
    expect(err.message).toBe(`name: is 1900000 characters long; no argument may be longer than ${MAX_ARGUMENT_CHARS}`);
  });
});

describe('guardArguments', () => {
  const schema = guardArguments(
    buildSchema(`
      type Query { echo(text: String!, list: [String!]): String, plain: String }
      type Subscription { ticks(text: String!): String }
    `),
  );
  const rootValue = { echo: ({ text }: { text: string }) => text, plain: () => 'plain' };

  it('checks the arguments of every field before its resolver, from literals and variables alike', async () => {
    expect((await graphql({ schema, source: '{ echo(text: "ok") plain }', rootValue })).data).toEqual({ echo: 'ok', plain: 'plain' });
    const viaLiteral = await graphql({ schema, source: '{ echo(text: "a\\u0000b") }', rootValue });
    expect(viaLiteral.errors?.[0]?.originalError).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'text' } });
    const viaVariable = await graphql({ schema, source: 'query($l: [String!]) { echo(text: "ok", list: $l) }', rootValue, variableValues: { l: ['ok', '\ud800'] } });
    expect(viaVariable.errors?.[0]?.originalError).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'list[1]' } });
  });

  it("checks a subscription's arguments before its stream starts", async () => {
    let started = false;
    const sub = schema.getSubscriptionType()!.getFields()['ticks']!;
    const inner = sub.subscribe;
    sub.subscribe = (...a) => {
      started = true;
      return inner!(...a);
    };
    guardArguments(schema); // the wrapper goes in front of the new subscribe
    const r = await subscribe({ schema, document: parse('subscription { ticks(text: "a\\u0000") }') });
    expect('errors' in r && r.errors?.[0]?.originalError).toMatchObject({ code: 'BAD_USER_INPUT', details: { field: 'text' } });
    expect(started).toBe(false);
  });
});
