/** The small parts: secrets in stored requests, failure classes, config defaults and checks. */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  ObjectExistsError,
  ObjectNotFoundError,
  UnsupportedByBackendError,
  UpstreamAuthenticationError,
  UpstreamFailureError,
  UpstreamUnavailableError,
  ValidationError,
} from '../../../src/core/errors.js';
import { idempotencyOptions } from '../../../src/idempotency/config.js';
import { Fingerprints } from '../../../src/idempotency/fingerprint.js';
import { SecretDigests } from '../../../src/idempotency/secrets.js';
import { classifyFailure } from '../../../src/idempotency/service.js';

const digests = new SecretDigests(new Fingerprints(Buffer.alloc(32, 7)));

describe('stored requests keep no secret', () => {
  it('authInfo and passwords become keyed digests (anywhere in the arguments); dates become ISO strings', () => {
    const stored = digests.storable({ name: 'a.tld', authInfo: 'Pw-123456', nested: [{ password: 'p4ss-word' }], at: new Date('2026-01-02T03:04:05Z'), none: undefined });
    const text = JSON.stringify(stored);
    expect(text).not.toContain('Pw-123456');
    expect(text).not.toContain('p4ss-word');
    expect(stored).toMatchObject({ name: 'a.tld', at: '2026-01-02T03:04:05.000Z' });
    expect(stored).not.toHaveProperty('none');
    expect(digests.matches((stored as any).authInfo, 'Pw-123456')).toBe(true);
    expect(digests.matches((stored as any).authInfo, 'Pw-1234567')).toBe(false);
    expect(digests.matches((stored as any).nested[0].password, 'p4ss-word')).toBe(true);
  });
  it('salted: the same secret digests differently each time; nothing matches a non-digest', () => {
    expect(digests.hash('same-secret')).not.toBe(digests.hash('same-secret'));
    expect(digests.matches('same-secret', 'same-secret')).toBe(false);
    expect(digests.matches(digests.hash('x-secret'), null)).toBe(false);
  });
  it('keyed: a copy of the record does not confirm a guessed secret without the deployment key', () => {
    const stored = digests.hash('Guessable-1') as string;
    expect(stored).toMatch(/^secret:hmac-sha256:[0-9a-f]{16}:[0-9a-f]{64}$/);
    const [salt, hex] = stored.split(':').slice(2);
    // What anyone holding the database alone can compute from a guess: the salted SHA-256 of it.
    expect(createHash('sha256').update(salt!).update('\u0000').update('Guessable-1').digest('hex')).not.toBe(hex);
    expect(new SecretDigests(new Fingerprints(Buffer.alloc(32, 8))).matches(stored, 'Guessable-1')).toBe(false);
    // A record written before digests were keyed (a salted SHA-256) still matches until it expires.
    const legacy = `secret:sha256:abcd:${createHash('sha256').update('abcd').update('\u0000').update('Old-Pw-1').digest('hex')}`;
    expect([digests.matches(legacy, 'Old-Pw-1'), digests.matches(legacy, 'Old-Pw-2')]).toEqual([true, false]);
  });
});

describe('failure classes', () => {
  it.each([
    ['sent, no answer', new UpstreamUnavailableError('timeout', { maybeApplied: true }), 'unknown'],
    ['not sent', new UpstreamUnavailableError('no session', { maybeApplied: false }), 'not-applied'],
    ['2400', new UpstreamFailureError('Command failed', { upstreamCode: 2400 }), 'not-applied'],
    ['2500 (the server failed and closed the session)', new UpstreamFailureError('closing', { upstreamCode: 2500 }), 'unknown'],
    ['2002 not logged in (as the adapter reports it: not processed)', new UpstreamUnavailableError('not logged in', { maybeApplied: false, upstreamCode: 2002 }), 'not-applied'],
    ['login refused (2200)', new UpstreamAuthenticationError('Authentication error', { upstreamCode: 2200 }), 'not-applied'],
    ['2302', new ObjectExistsError('exists', { upstreamCode: 2302 }), 'definite'],
    ['2303', new ObjectNotFoundError('not found', { upstreamCode: 2303 }), 'definite'],
    ['bad input', new ValidationError('input.name', 'bad'), 'not-applied'],
    ['unsupported', new UnsupportedByBackendError('b', 'contacts'), 'not-applied'],
    ['a bug after sending', new TypeError('oops'), 'unknown'],
  ])('%s', (_why, err, kind) => expect(classifyFailure(err)).toBe(kind));
});

describe('config', () => {
  it('defaults: 7 days, 10 s wait, 15 s lease', () => {
    expect(idempotencyOptions({})).toEqual({ ttlMs: 7 * 24 * 3600_000, awaitMs: 90 * 24 * 3600_000, waitMs: 10_000, leaseMs: 15_000 });
  });
  it('ttlHours and friends from the config file', () => {
    expect(idempotencyOptions({ idempotency: { ttlHours: 24, leaseMs: 5_000 } })).toEqual({ ttlMs: 24 * 3600_000, awaitMs: 90 * 24 * 3600_000, waitMs: 10_000, leaseMs: 5_000 });
  });
  it.each([0, -1, Number.NaN])('refuses ttlHours %s', (v) => expect(() => idempotencyOptions({ idempotency: { ttlHours: v } })).toThrow(/idempotency.ttlHours/));
});
