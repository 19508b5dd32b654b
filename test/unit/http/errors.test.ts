/** What a client sees of an error: a stable code, never an internal detail. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { DomainReadError, SlowSubscriberError, UpstreamUnavailableError } from '../../../src/core/errors.js';
import { fromDatabasePool } from '../../../src/db/errors.js';
import { makeFormatError } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/logger.js';

const format = makeFormatError(createLogger('silent'));
const wrapped = (original: Error) => new GraphQLError(original.message, { originalError: original });

describe('formatError', () => {
  it("keeps a gateway error's code when graphql-ws wraps it without a path (a subscription stream's error)", () => {
    const e = wrapped(new SlowSubscriberError(10_000, '41'));
    expect(format(e.toJSON(), e)).toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW', retryable: true }, message: expect.stringContaining('after: "41"') });
  });

  it("names a page's domain that could not be read in extensions.domainName, with the read's own code and registry", () => {
    const cause = new UpstreamUnavailableError('connect ECONNREFUSED 127.0.0.1:9', { backend: 'sandbox-repp', maybeApplied: false });
    const e = new GraphQLError('x', { path: ['domains', 'edges', 3, 'node'], originalError: new DomainReadError('kass.ee', 'sandbox-repp', cause) });
    expect(format(e.toJSON(), e)).toEqual({
      message: 'kass.ee: connect ECONNREFUSED 127.0.0.1:9',
      path: ['domains', 'edges', 3, 'node'],
      locations: undefined,
      extensions: { code: 'UPSTREAM_UNAVAILABLE', registry: 'sandbox-repp', retryable: true, domainName: 'kass.ee' },
    });
  });

  it("masks a page's domain whose read failed unexpectedly as INTERNAL_SERVER_ERROR, still naming the domain, and logs the detail", () => {
    const logged: unknown[] = [];
    const logger = createLogger('silent');
    const spy = { ...logger, error: (o: unknown) => void logged.push(o) } as unknown as typeof logger;
    const e = new GraphQLError('x', { path: ['domains', 'edges', 0, 'node'], originalError: new DomainReadError('a.tld', 'sandbox-nomulus', new TypeError('secret detail')) });
    const out = makeFormatError(spy)(e.toJSON(), e);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR', registry: 'sandbox-nomulus', domainName: 'a.tld' });
    expect(out.message).toBe('a.tld: Internal server error');
    expect(JSON.stringify(out)).not.toContain('secret detail');
    expect(logged).toHaveLength(1);
  });

  it('masks anything unexpected as INTERNAL_SERVER_ERROR, without its message', () => {
    const e = new GraphQLError('connect ECONNREFUSED 10.0.0.7:5432', { path: ['viewer'], originalError: new Error('connect ECONNREFUSED 10.0.0.7:5432') });
    const out = format(e.toJSON(), e);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(out)).not.toContain('ECONNREFUSED');
    const streamFailure = wrapped(new Error('connect ECONNREFUSED 10.0.0.7:5432'));
    expect(format(streamFailure.toJSON(), streamFailure)).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it("answers the database not answering as SERVICE_UNAVAILABLE with retryAfter, over a resolver's path or a stream's, its detail only in the log, once", () => {
    const logged: Array<Record<string, unknown>> = [];
    const logger = createLogger('silent');
    const spy = { ...logger, error: (o: Record<string, unknown>) => void logged.push(o) } as unknown as typeof logger;
    const formatOnce = makeFormatError(spy);
    // As pg throws it when the pool cannot connect, marked by src/db/raw.ts as the database's.
    const socketError = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111, address: '10.0.0.7', port: 5432 });
    const refused = () => fromDatabasePool(socketError());
    const e = new GraphQLError('x', { path: ['commandLog'], originalError: refused() });
    const out = formatOnce(e.toJSON(), e);
    expect(out).toEqual({
      message: "the gateway's database is not answering: retry after 5 s",
      path: ['commandLog'],
      locations: undefined,
      extensions: { code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 },
    });
    expect(JSON.stringify(out)).not.toContain('10.0.0.7');
    const stream = wrapped(refused());
    expect(formatOnce(stream.toJSON(), stream).extensions).toEqual({ code: 'SERVICE_UNAVAILABLE', retryable: true, retryAfter: 5 });
    // One line for the outage, with its cause and how many were answered so, not one per error.
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ answered: 1, err: { code: 'ECONNREFUSED' } });
  });

  it("keeps a socket error that is not the database's what it was: a registry's (its own code), or an unexpected one (masked)", () => {
    const socketError = () => Object.assign(new Error('connect ECONNREFUSED 10.0.0.9:700'), { code: 'ECONNREFUSED', syscall: 'connect', errno: -111 });
    const bare = new GraphQLError('x', { path: ['domain'], originalError: socketError() });
    expect(format(bare.toJSON(), bare).extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    const registry = Object.assign(new UpstreamUnavailableError('connection refused', { backend: 'sandbox-nomulus', maybeApplied: false }), { cause: socketError() });
    const e = new GraphQLError('x', { path: ['domain'], originalError: registry });
    expect(format(e.toJSON(), e).extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', registry: 'sandbox-nomulus', retryable: true });
  });
});
