import { describe, expect, it } from 'vitest';
import { buildSchema, graphql, parse, subscribe } from 'graphql';
import { checkArgumentValue, guardArguments } from '../../../src/validation/guard.js';
import { MAX_ARGUMENT_CHARS, MAX_LIST_ITEMS } from '../../../src/validation/text.js';
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
