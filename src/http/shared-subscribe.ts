import { createSourceEventStream, execute, type DocumentNode, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { createHash } from 'node:crypto';
import { smallJson } from '../limits/small-json.js';

/** Values (objects, arrays, leaves) variables may have for their subscription to share results; larger ones are executed for it alone. */
const MAX_SHARED_VARIABLE_NODES = 10_000;

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * A `subscribe` for graphql-ws that behaves as graphql-js's (a source stream per subscription,
 * each event executed against the subscription's selection), except that an event delivered to
 * many subscriptions is executed once per distinct selection and audience, and the result is
 * shared. A thousand integrators of one registrar subscribed with the same query cost one
 * execution per poll message instead of a thousand, which was most of the CPU and the garbage
 * of the fan-out (bench/poll-latency.mjs).
 *
 * Sharing needs the same event object (the in-process fan-out hands one object to every
 * listener; a message replayed from the store, or a bulkJob event, is one object for every
 * subscriber whose stream read it in the same shared read (src/db/shared-reads.ts, SameObjects):
 * subscribers in step share its execution, others execute their own object), the
 * same parsed document (DocumentCache gives one per query text), operation name and variables,
 * and the same audience: `audienceOf` names what a result may depend on in the context (the
 * registrar), so a result is only ever shared between subscribers who would get the same one.
 * Variables too big to write out as a key (src/limits/small-json.ts: JSON.stringify recurses,
 * and variables nested 100,000 deep overflowed the stack, closing the connection with 4500) are
 * not shared: their subscription's events are executed for it alone.
 */
export function sharedSubscribe(audienceOf: (contextValue: unknown) => string) {
  const resultsByEvent = new WeakMap<object, Map<string | symbol, Result>>();
  const documentIds = new WeakMap<DocumentNode, number>();
  let documents = 0;

  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream;
    const source = stream[Symbol.asyncIterator]();
    let documentId = documentIds.get(args.document);
    if (documentId === undefined) documentIds.set(args.document, (documentId = ++documents));
    const json = smallJson(args.variableValues ?? {}, MAX_SHARED_VARIABLE_NODES);
    // Long variables by their hash: the key lives as long as the subscription, and counted once (limits.wsRetainedBytes) they would be held twice.
    const variables = json !== null && json.length > 64 ? createHash('sha256').update(json).digest('base64') : json;
    // A key no other subscription has: a Symbol (results of one event are then this one's alone).
    const key = variables === null ? Symbol('unshared') : [documentId, args.operationName ?? '', variables, audienceOf(args.contextValue)].join('\u0000');
    return mapAsyncIterator(source, (event) => {
      if (typeof event !== 'object' || event === null) return execute({ ...args, rootValue: event });
      let results = resultsByEvent.get(event);
      if (!results) resultsByEvent.set(event, (results = new Map()));
      let result = results.get(key);
      if (!result) results.set(key, (result = execute({ ...args, rootValue: event })));
      return result;
    });
  };
}

function isAsyncIterable(x: unknown): x is AsyncIterable<unknown> {
  return typeof x === 'object' && x !== null && typeof (x as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';
}

/** Maps a source iterator; `return()` goes straight to the source, so a waiting stream ends at once. */
function mapAsyncIterator<T, U>(source: AsyncIterator<T>, fn: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const close = () => (source.return ? source.return().then(() => undefined, () => undefined) : Promise.resolve());
  const map = async (r: IteratorResult<T>): Promise<IteratorResult<U>> => {
    if (r.done) return { done: true, value: undefined };
    try {
      return { done: false, value: await fn(r.value) };
    } catch (err) {
      await close();
      throw err;
    }
  };
  return {
    next: () => source.next().then(map),
    return: async () => {
      await close();
      return { done: true, value: undefined };
    },
    throw: async (err: unknown) => {
      if (source.throw) return map(await source.throw(err));
      await close();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
