/** What a client sees of an error: a stable code, never an internal detail. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { SlowSubscriberError } from '../../../src/core/errors.js';
import { makeFormatError } from '../../../src/http/errors.js';
import { createLogger } from '../../../src/logger.js';

const format = makeFormatError(createLogger('silent'));
const wrapped = (original: Error) => new GraphQLError(original.message, { originalError: original });

describe('formatError', () => {
  it("keeps a gateway error's code when graphql-ws wraps it without a path (a subscription stream's error)", () => {
    const e = wrapped(new SlowSubscriberError(10_000, '41'));
    expect(format(e.toJSON(), e)).toMatchObject({ extensions: { code: 'SUBSCRIBER_TOO_SLOW', retryable: true }, message: expect.stringContaining('after: "41"') });
  });

  it('masks anything unexpected as INTERNAL_SERVER_ERROR, without its message', () => {
    const e = new GraphQLError('connect ECONNREFUSED 10.0.0.7:5432', { path: ['viewer'], originalError: new Error('connect ECONNREFUSED 10.0.0.7:5432') });
    const out = format(e.toJSON(), e);
    expect(out.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' });
    expect(JSON.stringify(out)).not.toContain('ECONNREFUSED');
    const streamFailure = wrapped(new Error('connect ECONNREFUSED 10.0.0.7:5432'));
    expect(format(streamFailure.toJSON(), streamFailure)).toEqual({ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });
});
