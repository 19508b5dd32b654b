/**
 * Joker refusals as the idempotency service classifies them (DMAPI document, "Basics": Error lines
 * mean processing didn't take place). Before, a 5xx with Error lines was an unknown outcome, a 4xx
 * (or a non-EPP Status-Code) without a result code was kept as the key's answer and logged UNKNOWN,
 * and HTTP 429 was UPSTREAM_FAILURE kept as the key's answer.
 */
import { describe, expect, test } from 'vitest';
import { refusal } from '../../../../src/backends/joker/http.js';
import { parseReply } from '../../../../src/backends/joker/reply.js';
import { classifyFailure } from '../../../../src/idempotency/failure.js';

const reply = (lines: string[]) => parseReply(`${lines.join('\n')}\n\n`);

describe('Joker refusals', () => {
  test('HTTP 429 "too many requests": RATE_LIMITED with 2502 and the Retry-After, not applied', () => {
    const e = refusal(429, reply(['Status-Code: 1', 'Status-Text: Too many requests', 'Error: slow down']), 'jk', [], 12_000);
    expect(e).toMatchObject({ code: 'RATE_LIMITED', details: { upstreamCode: 2502, retryAfter: 12, retryable: true } });
    expect(classifyFailure(e)).toBe('not-applied');
  });

  test('a refusal saying "too many requests" with HTTP 200: RATE_LIMITED, no retryAfter when none was given', () => {
    const e = refusal(200, reply(['Status-Code: 1', 'Status-Text: Error', 'Error: Too many requests, try later']), 'jk', []);
    expect(e).toMatchObject({ code: 'RATE_LIMITED', details: { upstreamCode: 2502 } });
    expect(e.details.retryAfter).toBeUndefined();
    expect(classifyFailure(e)).toBe('not-applied');
  });

  test('a 5xx with Error lines was not processed: not applied, with 2400; without them the outcome is unknown', () => {
    const refused = refusal(503, reply(['Status-Code: 1', 'Error: maintenance']), 'jk', []);
    expect(refused).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { upstreamCode: 2400 } });
    expect(classifyFailure(refused)).toBe('not-applied');
    expect(classifyFailure(refusal(502, reply(['Status-Code: 1']), 'jk', []))).toBe('unknown');
  });

  test('a 4xx or a non-EPP Status-Code without a result code carries 2400 (logged as refused), not applied', () => {
    const e = refusal(400, reply(['Status-Code: 7', 'Error: bad request']), 'jk', []);
    expect(e.details.upstreamCode).toBe(2400);
    expect(classifyFailure(e)).toBe('not-applied');
  });

  test('an EPP result code is the key\'s answer as before (2302: definite)', () => {
    const e = refusal(200, reply(['Status-Code: 2302', 'Status-Text: Object exists', 'Error: domain already exists']), 'jk', []);
    expect(e).toMatchObject({ code: 'OBJECT_EXISTS', details: { upstreamCode: 2302 } });
    expect(classifyFailure(e)).toBe('definite');
  });
});
