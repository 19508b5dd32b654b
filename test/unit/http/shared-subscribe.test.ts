/**
 * sharedSubscribe: one execution per event for identical subscriptions of one audience, and
 * never a result shared where it could differ (selection, variables, audience, replayed events).
 */
import { buildSchema, parse, type ExecutionResult, type GraphQLObjectType } from 'graphql';
import { describe, expect, it } from 'vitest';
import { sharedSubscribe } from '../../../src/http/shared-subscribe.js';

interface Event {
  n: number;
}

/** A schema whose subscription yields the events emitted to it and counts how often `label` is resolved. */
function setup() {
  const schema = buildSchema(`
    type Query { ok: Boolean }
    type Tick { n: Int!, label(prefix: String): String!, viewer: String! }
    type Subscription { ticks: Tick! }
  `);
  const listeners = new Set<(e: Event) => void>();
  let resolved = 0;
  const ticks = schema.getSubscriptionType()!.getFields().ticks!;
  ticks.subscribe = () => {
    const queue: Event[] = [];
    let wake: (() => void) | undefined;
    let done = false;
    const fn = (e: Event) => {
      queue.push(e);
      wake?.();
    };
    listeners.add(fn);
    return {
      async next(): Promise<IteratorResult<Event>> {
        while (queue.length === 0 && !done) await new Promise<void>((r) => (wake = r));
        return done ? { done: true, value: undefined } : { done: false, value: queue.shift()! };
      },
      async return(): Promise<IteratorResult<Event>> {
        done = true;
        listeners.delete(fn);
        wake?.();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  };
  ticks.resolve = (e: Event) => e;
  const tick = schema.getType('Tick') as GraphQLObjectType;
  tick.getFields().label!.resolve = (e: Event, a: { prefix?: string }) => {
    resolved++;
    return `${a.prefix ?? ''}${e.n}`;
  };
  tick.getFields().viewer!.resolve = (_e, _a, ctx: { who: string }) => ctx.who;
  const emit = (e: Event) => listeners.forEach((l) => l(e));
  return { schema, emit, listeners, resolved: () => resolved };
}

const subscribeWith = sharedSubscribe((ctx) => (ctx as { who: string }).who);

async function open(s: ReturnType<typeof setup>, query: string, who: string, variableValues?: Record<string, unknown>) {
  return (await subscribeWith({ schema: s.schema, document: parse(query), contextValue: { who }, variableValues })) as AsyncIterableIterator<ExecutionResult>;
}

describe('sharedSubscribe', () => {
  it('executes an event once for identical subscriptions of one audience, and each gets the result', async () => {
    const s = setup();
    const doc = parse('subscription { ticks { n label viewer } }');
    const subs = await Promise.all(
      Array.from({ length: 50 }, async () => (await subscribeWith({ schema: s.schema, document: doc, contextValue: { who: 'A' } })) as AsyncIterableIterator<ExecutionResult>),
    );
    const next = subs.map((it) => it.next());
    s.emit({ n: 7 });
    const results = await Promise.all(next);
    for (const r of results) expect(r.value).toEqual({ data: { ticks: { n: 7, label: '7', viewer: 'A' } } });
    expect(s.resolved()).toBe(1);
    await Promise.all(subs.map((it) => it.return!()));
    expect(s.listeners.size).toBe(0);
  });

  it('executes separately what could differ: selection, variables, audience, and another event object', async () => {
    const s = setup();
    const a1 = await open(s, 'subscription { ticks { n label } }', 'A');
    const a2 = await open(s, 'subscription { ticks { label viewer } }', 'A');
    const a3 = await open(s, 'subscription($p: String) { ticks { label(prefix: $p) } }', 'A', { p: '#' });
    const a4 = await open(s, 'subscription($p: String) { ticks { label(prefix: $p) } }', 'A', { p: '>' });
    const b1 = await open(s, 'subscription { ticks { label viewer } }', 'B');
    const all = [a1, a2, a3, a4, b1];
    const next = all.map((it) => it.next());
    s.emit({ n: 1 });
    expect((await Promise.all(next)).map((r) => r.value)).toEqual([
      { data: { ticks: { n: 1, label: '1' } } },
      { data: { ticks: { label: '1', viewer: 'A' } } },
      { data: { ticks: { label: '#1' } } },
      { data: { ticks: { label: '>1' } } },
      { data: { ticks: { label: '1', viewer: 'B' } } },
    ]);
    expect(s.resolved()).toBe(5);
    // Equal content in another object (as a replayed row is): executed again.
    const again = a1.next();
    s.emit({ n: 1 });
    await again;
    expect(s.resolved()).toBe(6);
    await Promise.all(all.map((it) => it.return!()));
  });

  it('ends a waiting stream at once when the subscriber leaves', async () => {
    const s = setup();
    const it = await open(s, 'subscription { ticks { n } }', 'A');
    const waiting = it.next();
    await it.return!();
    expect(s.listeners.size).toBe(0);
    expect(await waiting).toEqual({ done: true, value: undefined });
  });

  it('returns the errors of a subscription that cannot start instead of a stream', async () => {
    const s = setup();
    const r = await subscribeWith({ schema: s.schema, document: parse('subscription { ticks { n } }'), contextValue: { who: 'A' }, operationName: 'Missing' });
    expect((r as ExecutionResult).errors?.[0]?.message).toMatch(/Unknown operation named "Missing"/);
  });
});
