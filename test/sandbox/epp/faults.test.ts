/** Fault injection hooks and the applied() counters. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EppSandbox, SandboxAddress } from '../../../src/sandbox/epp/index.js';
import { validateEppMany } from '../../helpers/xsd.js';
import { PASSWORDS, RawEppClient, URI, frame, fx, loginXml, readResponse, received, session, startSandbox } from './client.js';

let sandbox: EppSandbox;
let addr: SandboxAddress;

beforeAll(async () => {
  ({ sandbox, addr } = await startSandbox({ profile: 'nomulus' }));
});
afterAll(async () => {
  await sandbox.stop();
});
beforeEach(() => sandbox.reset());

const create = fx('domain/domain_create.xml', { DOMAIN: 'faulty.tld' });

describe('faults', () => {
  it('drop-after-apply: the create is applied once, the answer never comes, a resend sees 2302', async () => {
    sandbox.faults.next({ command: 'domain:create', action: 'drop-after-apply' });
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    c.write(frame(create));
    await c.closed;
    await expect(c.next()).rejects.toThrow('connection closed');
    expect(sandbox.applied('domain:create')).toBe(1);
    const again = await session(addr, 'NewRegistrar', 'nomulus');
    expect((await again.send(create)).code).toBe(2302);
    expect(sandbox.applied('domain:create')).toBe(1);
    again.close();
  });

  it('server-error: 2400 and nothing applied; the next command is normal', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    sandbox.faults.next({ command: 'domain:create', action: 'server-error' });
    const r = await c.send(create);
    expect([r.code, r.msg, r.clTRID]).toEqual([2400, 'Command failed', 'ABC-12345']);
    expect(sandbox.applied('domain:create')).toBe(0);
    expect(sandbox.domain('faulty.tld')).toBeUndefined();
    expect((await c.send(create)).code).toBe(1000);
    expect(sandbox.applied('domain:create')).toBe(1);
    c.close();
  });

  it('close-session: 2500, connection closed, nothing applied', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    sandbox.faults.next({ command: 'domain:create', action: 'close-session' });
    expect((await c.send(create)).code).toBe(2500);
    await c.closed;
    expect(sandbox.applied('domain:create')).toBe(0);
  });

  it('end-login: 2002 not logged in, nothing applied, the connection stays open and needs a new login', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    sandbox.faults.next({ command: 'domain:create', action: 'end-login' });
    expect(await c.send(create)).toMatchObject({ code: 2002, msg: 'Registrar is not logged in.' });
    expect((await c.send(fx('domain/domain_info.xml'))).code).toBe(2002);
    expect(sandbox.applied('domain:create')).toBe(0);
    expect((await c.send(fx('session/login_valid.xml'))).code).toBe(1000);
    expect((await c.send(create)).code).toBe(1000);
    expect(sandbox.applied('domain:create')).toBe(1);
    c.close();
  });

  it('delay: applied, answered later; faults fire once and only for their command', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    sandbox.faults.next({ command: 'domain:create', action: 'delay', delayMs: 30 });
    c.write(frame(fx('domain/domain_info.xml')));
    expect(readResponse(await c.next()).code).toBe(1000);
    const r = await c.send(create);
    expect(r.code).toBe(1000);
    expect(sandbox.applied('domain:create')).toBe(1);
    sandbox.faults.next({ command: 'domain:renew', action: 'server-error' });
    sandbox.faults.clear();
    expect((await c.send(fx('domain/domain_renew.xml', { DOMAIN: 'faulty.tld', YEARS: '1' }))).code).toBe(2004);
    c.close();
  });

  it('omit-resdata: the create is applied and answered 1000 without <resData> (a schema-valid frame); the next create is answered whole', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    sandbox.faults.next({ command: 'domain:create', action: 'omit-resdata' });
    const r = await c.send(create);
    expect([r.code, r.msg, r.clTRID, r.resData]).toEqual([1000, 'Command completed successfully', 'ABC-12345', {}]);
    expect(r.xml).not.toContain('resData');
    expect(sandbox.applied('domain:create')).toBe(1);
    expect(sandbox.domain('faulty.tld')).toBeDefined();
    const next = await c.send(fx('domain/domain_create.xml', { DOMAIN: 'faulty2.tld' }));
    expect(next.resData.creData?.name).toBe('faulty2.tld');
    c.close();
  });

  it('an after-apply fault is not used up by a command the sandbox refuses: the create it refuses (policy 2306, syntax 2005) is answered, the applied one is dropped', async () => {
    sandbox.faults.next({ command: 'domain:create', action: 'drop-after-apply' });
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    expect(await c.send(fx('domain/domain_create.xml', { DOMAIN: 'under_score.tld' }))).toMatchObject({ code: 2306, clTRID: 'ABC-12345' });
    expect(await c.send(fx('domain/domain_create.xml', { DOMAIN: 'two.labels.tld' }))).toMatchObject({ code: 2005, clTRID: 'ABC-12345' });
    expect(sandbox.applied('domain:create')).toBe(0);
    c.write(frame(create));
    await c.closed;
    await expect(c.next()).rejects.toThrow('connection closed');
    expect(sandbox.applied('domain:create')).toBe(1);
    expect(sandbox.domain('faulty.tld')).toBeDefined();
  });

  it('a fault is not used up by a command refused before it runs (not logged in, 2002): server-error answers the logged-in create', async () => {
    sandbox.faults.next({ command: 'domain:create', action: 'server-error' });
    const c = await RawEppClient.connect(addr);
    expect(await c.send(create)).toMatchObject({ code: 2002, msg: 'Registrar is not logged in.' });
    expect((await c.send(loginXml('NewRegistrar', PASSWORDS.NewRegistrar!, [URI.host, URI.domain]))).code).toBe(1000);
    expect((await c.send(create)).code).toBe(2400);
    expect(sandbox.domain('faulty.tld')).toBeUndefined();
    expect((await c.send(create)).code).toBe(1000); // fired once
    c.close();
  });

  it('counts applied commands per key, successes only; reset() clears counters', async () => {
    const c = await session(addr, 'NewRegistrar', 'nomulus');
    await c.send(fx('domain/domain_check.xml'));
    await c.send(fx('domain/domain_info.xml'));
    await c.send(fx('domain/domain_transfer_request.xml'));
    await c.send(fx('poll/poll.xml'));
    expect(['login', 'domain:check', 'domain:info', 'domain:transfer:request', 'poll:req'].map((k) => sandbox.applied(k))).toEqual([1, 0, 1, 1, 1]);
    sandbox.reset();
    expect(sandbox.applied('domain:transfer:request')).toBe(0);
    c.close();
  });
});

describe('lifecycle', () => {
  it('stop() closes open connections; start() gives a fresh port', async () => {
    const other = await startSandbox({ profile: 'nomulus' });
    const c = await RawEppClient.connect(other.addr);
    await other.sandbox.stop();
    await c.closed;
    expect(other.addr.port).toBeGreaterThan(0);
    expect(other.addr.port).not.toBe(addr.port);
    expect(other.addr.ca).toContain('BEGIN CERTIFICATE');
  });
});

afterAll(async () => {
  const results = await validateEppMany(received);
  const bad = results.map((r, i) => ({ ...r, xml: received[i] })).filter((r) => !r.valid);
  expect(bad).toEqual([]);
});
