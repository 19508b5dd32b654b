/**
 * A DMAPI reply with HTTP 200 and a non-zero Status-Code but no Error line (Joker sandbox fault
 * errorWithoutErrorLines, over HTTPS). The document ("Basics"): "Status-Code: Not 0 if error
 * occurred", and Error lines "May be returned if (and only if) the request was rejected ...
 * Presence of this line in headers is indicative that processing didn't take place". Such a reply
 * is never a success; for a change it does not say the change was not made, so the outcome is
 * unknown (UPSTREAM_UNAVAILABLE, maybeApplied: the retry reads the registry first), as for a 5xx
 * without Error lines; for a read it is the error its Status-Code names.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { JokerDriver } from '../../../../src/backends/joker/index.js';
import { PortableBackend } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import type { CallContext } from '../../../../src/core/model/index.js';
import { classifyFailure } from '../../../../src/idempotency/failure.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox } from '../../../../src/sandbox/joker/index.js';

const clock = new FakeClock('2026-03-01T12:00:00Z');
const sandbox = new JokerSandbox({ clock, domainDelayMs: 0 });
const [a] = JOKER_SANDBOX_ACCOUNTS;
const acme: CallContext = { registrarId: 'acme' };
let url = '';
let ca = '';
let port: PortableBackend;

const failure = (p: Promise<unknown>) => p.then((v) => Promise.reject(new Error(`expected a failure, got ${JSON.stringify(v)}`)), (e: unknown) => e as { code: string; message: string; details: { upstreamCode?: number; maybeApplied?: boolean } });

beforeAll(async () => {
  ({ url, ca } = await sandbox.start());
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.reset();
  port = new PortableBackend(new JokerDriver({ name: 'jk', kind: 'joker', url, tls: { ca, servername: 'localhost' }, monthlyTlds: ['dmapi.test'], accounts: { acme: { uid: a.uid, password: a.apiKey, transferContact: a.contact } } }, { clock }), { clock });
});
afterEach(() => port.close());

describe('HTTP 200 with a non-zero Status-Code and no Error line', () => {
  test.each([
    ['2400', 2400],
    ['1', undefined],
    ['E17', undefined],
  ])('a change answered Status-Code %s: UPSTREAM_UNAVAILABLE with maybeApplied (an unknown outcome), not a success', async (statusCode, upstreamCode) => {
    const before = sandbox.domain('alpha.joker.test')!.expires;
    sandbox.errorWithoutErrorLines('domain-renew', statusCode);
    const e = await failure(port.renewDomain(acme, { name: 'alpha.joker.test', currentExpiry: new Date(before), period: { value: 1, unit: 'y' } }));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { maybeApplied: true } });
    expect(e.details.upstreamCode).toBe(upstreamCode);
    expect(e.message).toContain('Command failed');
    expect(classifyFailure(e)).toBe('unknown');
  });

  test('a read answered Status-Code 2303: the error it names (OBJECT_NOT_FOUND), not the reply as data', async () => {
    sandbox.errorWithoutErrorLines('query-whois', '2303', 'Object does not exist');
    expect(await failure(port.infoDomain(acme, 'alpha.joker.test'))).toMatchObject({ code: 'OBJECT_NOT_FOUND', details: { upstreamCode: 2303 } });
  });

  test('a read answered a Status-Code that is not a number: UPSTREAM_FAILURE, not a success', async () => {
    sandbox.errorWithoutErrorLines('query-profile', 'E17', 'Internal error');
    const e = await failure(port.balance(acme));
    expect(e).toMatchObject({ code: 'UPSTREAM_FAILURE', details: { upstreamCode: 2400 } });
    expect(e.message).toContain('Internal error');
  });

  test('a login answered a non-zero Status-Code with an Auth-Sid: no session (UPSTREAM_UNAVAILABLE), the request is not sent', async () => {
    sandbox.errorWithoutErrorLines('login', '2400');
    const e = await failure(port.infoDomain(acme, 'alpha.joker.test'));
    expect(e).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', details: { maybeApplied: false } });
    expect(sandbox.answered('query-whois')).toBe(0);
  });
});
