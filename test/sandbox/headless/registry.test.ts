/**
 * The HeadlessDomains sandbox over HTTP with a plain fetch client (not the gateway's adapter),
 * following the document's commands and its OT&E test sequence (shared/upstream/000_1527c6e3181c1cc7.txt).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { HeadlessSandbox } from '../../../src/sandbox/headless/index.js';

const clock = new FakeClock('2026-06-11T10:00:00Z');
const sandbox = new HeadlessSandbox({ clock, applyDelayMs: 60_000, rateLimit: { limit: 50, windowMs: 60_000 } });
let base = '';
const token = (id: string) => sandbox.registrars.find((r) => r.registrarId === id)!.token;

async function call(method: string, path: string, opts: { body?: unknown; key?: string; as?: string; auth?: string | null } = {}) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const auth = opts.auth === undefined ? `Bearer ${token(opts.as ?? 'NewRegistrar')}` : opts.auth;
  if (auth) headers.authorization = auth;
  if (opts.key) headers['idempotency-key'] = opts.key;
  const res = await fetch(base + path, { method, headers, body: opts.body === undefined ? undefined : JSON.stringify(opts.body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

beforeAll(async () => {
  base = (await sandbox.start()).url;
});
afterAll(() => sandbox.stop());
beforeEach(() => {
  sandbox.reset();
  clock.advance(60_000); // a fresh rate-limit window
});

describe('HeadlessDomains sandbox', () => {
  test('GET /status: channel, namespace listings, production status, scopes, rate limit, service contract, audit provenance', async () => {
    const r = await call('GET', '/status');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      registrar_channel: { id: 'chn_newregistrar', approval_status: 'approved' },
      api_key: { profile: 'registrar_api', bound_channel_id: 'chn_newregistrar' },
      namespace_listings: [{ tld: 'hdtest', status: 'approved' }],
      production: { approved: false },
      rate_limit: { limit: 50, remaining: 49, window_seconds: 60 },
      audit_provenance: { registrar_channel_id: 'chn_newregistrar' },
    });
    expect(r.body.registry_service.commands).toEqual(expect.arrayContaining(['check', 'create', 'renew', 'nameservers', 'cancel', 'poll']));
  });

  test('a token is required, and only a registrar_api key may call', async () => {
    expect((await call('GET', '/status', { auth: null })).status).toBe(401);
    expect((await call('GET', '/status', { auth: 'Bearer hdk_wrong' })).body.error.code).toBe('unauthorized');
    const storefront = sandbox.addKey('NewRegistrar', 'storefront');
    const r = await call('GET', '/status', { auth: `Bearer ${storefront}` });
    expect([r.status, r.body.error.code]).toEqual([403, 'forbidden_key_profile']);
  });

  test('reset re-creates the fixtures of the calling channel and leaves other registrations alone', async () => {
    const own = await call('POST', '/domains', { key: 'c-1', body: { domain: 'keep-me.hdtest' } });
    expect(own.status).toBe(201);
    const theirs = await call('POST', '/domains', { as: 'TheRegistrar', key: 'c-2', body: { domain: 'theirs.hdtest' } });
    expect(theirs.status).toBe(201);
    const r = await call('POST', '/sandbox/reset', { key: 'reset-1' });
    expect(r.status).toBe(200);
    const f = r.body.fixtures;
    expect(f).toMatchObject({ available: 'ote-newregistrar-available.hdtest', renewal: 'ote-newregistrar-renew.hdtest', transfer: { domain: 'ote-newregistrar-transfer.hdtest' } });
    await call('POST', `/domains/${f.renewal}/renew`, { key: 'renew-1', body: { years: 1 } });
    const renewed = (await call('GET', `/domains/${f.renewal}`)).body.registration.lifecycle.expires_at;
    await call('POST', '/domains', { key: 'c-3', body: { domain: f.available } });
    await call('POST', '/sandbox/reset', { key: 'reset-2' });
    expect((await call('GET', `/domains/${f.renewal}`)).body.registration.lifecycle.expires_at).not.toBe(renewed);
    expect((await call('POST', '/domains/check', { body: { domain: f.available } })).body.available).toBe(true);
    expect((await call('GET', '/domains/keep-me.hdtest')).status).toBe(200);
    expect((await call('GET', '/domains/theirs.hdtest')).body.registration.registrar_channel_id).toBe('chn_theregistrar');
    expect((await call('GET', '/domains/ote-theregistrar-renew.hdtest')).status).toBe(404);
  });

  test('check a full SLD or a label and TLD; a namespace without an approved listing is refused', async () => {
    expect((await call('POST', '/domains/check', { body: { label: 'fresh', tld: 'hdtest' } })).body).toEqual({ domain: 'fresh.hdtest', available: true, reason: null });
    expect((await call('POST', '/domains/check', { body: { domain: 'newregistrar-seed.hdtest' } })).body.available).toBe(false);
    expect((await call('POST', '/domains/check', { body: { domain: 'legacy-nb.hdtest' } })).body.reason).toBe('protected_recovery_record');
    expect((await call('POST', '/domains/check', { body: { domain: 'x.com' } })).body.error.code).toBe('namespace_not_approved');
  });

  test('create retried with the same idempotency key is answered from the first response; another body with that key is 422', async () => {
    const body = { domain: 'twice.hdtest', years: 2, registrant: { name: 'Ada', email: 'ada@example.net' } };
    const first = await call('POST', '/domains', { key: 'create-twice', body });
    const retry = await call('POST', '/domains', { key: 'create-twice', body });
    expect([first.status, retry.status]).toEqual([201, 201]);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const other = await call('POST', '/domains', { key: 'create-twice', body: { ...body, years: 3 } });
    expect([other.status, other.body.error.code]).toEqual([422, 'idempotency_key_reused']);
    expect((await call('POST', '/domains', { body })).body.error.code).toBe('idempotency_key_required');
    const rows = sandbox.auditRows('chn_newregistrar').filter((a) => a.idempotency_key === 'create-twice');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ command: 'domains.create', command_id: first.body.command_id, http_status: 201, status: 'succeeded', registrar: { channel_id: 'chn_newregistrar' } });
  });

  test('renew with the current expiry renews once; patch registrant and lifecycle fields', async () => {
    const d = 'newregistrar-seed.hdtest';
    const cur = (await call('GET', `/domains/${d}`)).body.registration.lifecycle.expires_at;
    const r = await call('POST', `/domains/${d}/renew`, { key: 'r1', body: { years: 1, current_expires_at: cur } });
    expect(r.status).toBe(200);
    // Calendar years: one more year on the same day of the month, also across a 29 February.
    const next = new Date(cur);
    next.setUTCFullYear(next.getUTCFullYear() + 1);
    expect(r.body.registration.lifecycle.expires_at).toBe(next.toISOString());
    expect((await call('POST', `/domains/${d}/renew`, { key: 'r2', body: { years: 1, current_expires_at: cur } })).body.error.code).toBe('expiry_mismatch');
    const p = await call('PATCH', `/domains/${d}`, { key: 'p1', body: { registrant: { name: 'New Name', organization: 'Org' }, lifecycle: { client_hold: true } } });
    expect(p.body.registration).toMatchObject({ registrant: { name: 'New Name', organization: 'Org' }, lifecycle: { client_hold: true } });
    expect((await call('PATCH', `/domains/${d}`, { key: 'p2', body: { lifecycle: { deleted: true } } })).body.error.field).toBe('lifecycle.deleted');
    expect((await call('PATCH', '/domains/theregistrar-seed.hdtest', { key: 'p3', body: {} })).body.error.code).toBe('not_registrar_of_record');
  });

  test('nameservers: desired at once, applied by the backend after the delay, with an audit row for the apply', async () => {
    const d = 'newregistrar-seed.hdtest';
    const put = await call('PUT', `/domains/${d}/nameservers`, { key: 'ns-1', body: { nameservers: ['ns9.example.org'] } });
    expect(put.status).toBe(202);
    expect(put.body.registration.nameservers).toEqual({ desired: ['ns9.example.org'], applied: ['ns1.example.net', 'ns2.example.net'], backend_apply_status: 'pending' });
    clock.advance(60_000);
    expect((await call('GET', `/domains/${d}`)).body.registration.nameservers).toEqual({ desired: ['ns9.example.org'], applied: ['ns9.example.org'], backend_apply_status: 'applied' });
    const rows = sandbox.auditRows('chn_newregistrar').filter((a) => a.command_id === put.body.command_id);
    expect(rows.map((a) => [a.command, a.status, a.idempotency_key])).toEqual([
      ['domains.nameservers', 'pending_backend_apply', 'ns-1'],
      ['backend.apply.nameservers', 'applied', 'ns-1'],
    ]);
  });

  test('DELETE cancels the lifecycle record: pending, then cancelled, never gone', async () => {
    const d = 'newregistrar-seed.hdtest';
    const del = await call('DELETE', `/domains/${d}`, { key: 'del-1' });
    expect([del.status, del.body.registration.lifecycle.state]).toEqual([202, 'pending_cancel']);
    clock.advance(60_000);
    const after = await call('GET', `/domains/${d}`);
    expect([after.status, after.body.registration.lifecycle.state]).toEqual([200, 'cancelled']);
    expect((await call('POST', '/domains/check', { body: { domain: d } })).body.available).toBe(false);
    expect((await call('DELETE', `/domains/${d}`, { key: 'del-2' })).body.error.code).toBe('lifecycle_prohibits');
  });

  test('transfer intent with the auth code is recorded, then applied; the losing channel gets an audit row', async () => {
    const d = 'theregistrar-seed.hdtest';
    expect((await call('POST', `/domains/${d}/transfer`, { key: 't0', body: { auth_code: 'wrong-code' } })).body.error.code).toBe('invalid_auth_code');
    const t = await call('POST', `/domains/${d}/transfer`, { key: 't1', body: { auth_code: 'Seed-theregistrar-1' } });
    expect(t.body.registration.transfer).toMatchObject({ state: 'intent_recorded', gaining_channel_id: 'chn_newregistrar', backend_apply_status: 'pending' });
    clock.advance(60_000);
    expect((await call('GET', `/domains/${d}`)).body.registration).toMatchObject({ registrar_channel_id: 'chn_newregistrar', transfer: { state: 'completed' } });
    expect(sandbox.auditRows('chn_theregistrar').map((a) => [a.command, a.domain])).toContainEqual(['domains.transfer_out', d]);
  });

  test('hold(): every change stays pending whatever the clock says until release(), then applies at the next request, stamped then', async () => {
    const d = 'newregistrar-seed.hdtest';
    sandbox.hold();
    try {
      const put = await call('PUT', `/domains/${d}/nameservers`, { key: 'h-ns', body: { nameservers: ['ns9.example.org'] } });
      const del = await call('DELETE', `/domains/${d}`, { key: 'h-del' });
      const xfer = await call('POST', '/domains/theregistrar-seed.hdtest/transfer', { key: 'h-t', body: { auth_code: 'Seed-theregistrar-1' } });
      expect([put.status, del.status, xfer.status]).toEqual([202, 202, 202]);
      clock.advance(10 * 60_000); // ten times the apply delay
      const reg = (await call('GET', `/domains/${d}`)).body.registration;
      expect([reg.nameservers.backend_apply_status, reg.nameservers.applied, reg.lifecycle.state]).toEqual(['pending', ['ns1.example.net', 'ns2.example.net'], 'pending_cancel']);
      expect((await call('GET', '/domains/theregistrar-seed.hdtest')).body.registration).toMatchObject({ registrar_channel_id: 'chn_theregistrar', transfer: { state: 'intent_recorded', backend_apply_status: 'pending' } });
      expect(sandbox.pendingApplies()).toBe(3);
      expect(sandbox.auditRows('chn_newregistrar').filter((a) => a.command.startsWith('backend.apply.'))).toEqual([]);
    } finally {
      sandbox.release();
    }
    const releasedAt = clock.now().toISOString();
    const reg = (await call('GET', `/domains/${d}`)).body.registration;
    expect([reg.nameservers.backend_apply_status, reg.nameservers.applied, reg.lifecycle.state]).toEqual(['applied', ['ns9.example.org'], 'cancelled']);
    expect((await call('GET', '/domains/theregistrar-seed.hdtest')).body.registration.registrar_channel_id).toBe('chn_newregistrar');
    expect(sandbox.pendingApplies()).toBe(0);
    const applies = sandbox.auditRows('chn_newregistrar').filter((a) => a.command.startsWith('backend.apply.'));
    expect(applies.map((a) => [a.command, a.completed_at])).toEqual([
      ['backend.apply.nameservers', releasedAt],
      ['backend.apply.cancel', releasedAt],
      ['backend.apply.transfer', releasedAt],
    ]);
  });

  test('hold() with applyDelayMs 0: the change is answered and audited as pending, and applies at the first request after release()', async () => {
    const instant = new HeadlessSandbox({ clock, applyDelayMs: 0 });
    const url = (await instant.start()).url;
    const tok = instant.registrars.find((r) => r.registrarId === 'NewRegistrar')!.token;
    const put = (key: string, ns: string) =>
      fetch(`${url}/domains/newregistrar-seed.hdtest/nameservers`, { method: 'PUT', headers: { authorization: `Bearer ${tok}`, 'idempotency-key': key, 'content-type': 'application/json' }, body: JSON.stringify({ nameservers: [ns] }) }).then((r) => r.json() as Promise<any>);
    try {
      expect((await put('i-1', 'ns7.example.org')).registration.nameservers.backend_apply_status).toBe('applied');
      instant.hold();
      expect((await put('i-2', 'ns8.example.org')).registration.nameservers).toEqual({ desired: ['ns8.example.org'], applied: ['ns7.example.org'], backend_apply_status: 'pending' });
      expect(instant.auditRows('chn_newregistrar').find((a) => a.idempotency_key === 'i-2' && a.command === 'domains.nameservers')!.status).toBe('pending_backend_apply');
      instant.release();
      expect(instant.registration('newregistrar-seed.hdtest')!.nameservers).toEqual({ desired: ['ns8.example.org'], applied: ['ns8.example.org'], backend_apply_status: 'applied' });
    } finally {
      await instant.stop();
    }
  });

  test('GET /poll: the channel\'s own audit rows after a cursor, with ids, keys, statuses, timestamps and channel id', async () => {
    await call('POST', '/domains', { key: 'p-a', body: { domain: 'poll-a.hdtest' } });
    await call('POST', '/domains', { as: 'TheRegistrar', key: 'p-b', body: { domain: 'poll-b.hdtest' } });
    await call('POST', '/domains', { key: 'p-c', body: { domain: 'poll-a.hdtest' } });
    const all = (await call('GET', '/poll')).body.events;
    expect(all.map((e: any) => [e.command, e.idempotency_key, e.status, e.http_status])).toEqual([
      ['domains.create', 'p-a', 'succeeded', 201],
      ['domains.create', 'p-c', 'failed', 409],
    ]);
    expect(all[0]).toMatchObject({ id: expect.stringMatching(/^aud_/), command_id: expect.stringMatching(/^cmd_/), created_at: expect.any(String), registrar: { channel_id: 'chn_newregistrar' } });
    expect((await call('GET', `/poll?after=${all[0].id}`)).body.events.map((e: any) => e.id)).toEqual([all[1].id]);
  });

  test('its own rate limit: 429 with Retry-After once a key spent its window, other keys unaffected', async () => {
    let last;
    for (let i = 0; i < 51; i++) last = await call('GET', '/status');
    expect(last!.status).toBe(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last!.body.error.code).toBe('rate_limited');
    expect((await call('GET', '/status', { as: 'TheRegistrar' })).status).toBe(200);
    clock.advance(Number(last!.headers.get('retry-after')) * 1000);
    expect((await call('GET', '/status')).status).toBe(200);
  });
});
