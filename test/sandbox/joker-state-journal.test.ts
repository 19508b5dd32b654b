/**
 * The Joker sandbox writes only what a request changed (a journal line beside its snapshot):
 * after every step of a scenario over every modifying DMAPI request, their processing, result
 * deletion and the purge after redemption, a sandbox state loaded from a copy of the files
 * (snapshot plus journal) is the state the sandbox holds. A change the journal missed shows as a
 * difference naming the step. Also: many requests on a large portfolio grow the journal by what
 * they changed, not by the portfolio.
 */
import { copyFile, mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { JOKER_SANDBOX_ACCOUNTS, JokerSandbox, type JokerSandboxAddress } from '../../src/sandbox/joker/index.js';
import { JokerStateFile } from '../../src/sandbox/joker/state-file.js';
import { Store } from '../../src/sandbox/joker/store.js';
import { dmapiRequest, type DmapiAnswer } from '../helpers/dmapi.js';

const DAY = 86_400_000;
const [newReg, theReg] = JOKER_SANDBOX_ACCOUNTS;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-joker-journal-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** One DMAPI request (the tests' own client, test/helpers/dmapi.ts). */
function dmapi(addr: JokerSandboxAddress, name: string, vars: Record<string, string>): Promise<DmapiAnswer> {
  return dmapiRequest(addr.url, addr.ca, name, vars);
}

function storeOf(sandbox: JokerSandbox): Store {
  return (sandbox as unknown as { store: Store }).store;
}

/** The persisted part of a Joker sandbox's state as plain data, order-free. */
function canonical(store: Store): unknown {
  const sorted = <T>(values: Iterable<T>, key: (v: T) => string) => [...values].sort((a, b) => key(a).localeCompare(key(b)));
  return JSON.parse(
    JSON.stringify({
      sequences: store.sequences(),
      balances: sorted(store.resellers.values(), (r) => r.uid).map((r) => [r.uid, r.balanceCents]),
      contacts: sorted(store.contacts.values(), (c) => c.handle),
      hosts: sorted(store.hosts.values(), (h) => h.host),
      domains: sorted(store.domains.values(), (d) => d.name),
      jobs: sorted(store.jobs, (j) => j.procId).map(({ apply: _apply, ...j }) => j),
    }),
  );
}

/** The state a fresh start would load from the sandbox's files now (copied: the running sandbox's files stay as they are). */
async function reloaded(sandbox: JokerSandbox, name: string, now: number): Promise<Store> {
  const copy = await mkdtemp(path.join(dir, 'copy-'));
  for (const f of await readdir(dir)) {
    if (f === 'state.key' || f.startsWith(`${name}.`)) await copyFile(path.join(dir, f), path.join(copy, f));
  }
  const store = new Store({ ...storeOf(sandbox).cfg, seed: false });
  store.reset(now);
  const file = new JokerStateFile(copy, name, store);
  await file.open(now);
  await file.close();
  await rm(copy, { recursive: true, force: true });
  // A start gives Proc-IDs from its start time on (never one twice): compare the saved sequences, not that rule.
  (store as unknown as { seq: unknown }).seq = storeOf(sandbox).sequences();
  return store;
}

describe('the Joker sandbox state journal', () => {
  it('holds, after every step of a scenario over every modifying request and its processing, what the sandbox holds', async () => {
    const clock = new FakeClock('2026-06-01T10:00:00Z');
    const name = 'joker-scenario';
    const sandbox = new JokerSandbox({ clock, state: { dir, name }, domainDelayMs: 1000, objectDelayMs: 1000 });
    const addr = await sandbox.start();
    const sid = (await dmapi(addr, 'login', { 'api-key': newReg.apiKey })).h['auth-sid']![0]!;
    const rival = (await dmapi(addr, 'login', { 'api-key': theReg.apiKey })).h['auth-sid']![0]!;
    const as = (s: string, vars: Record<string, string>) => ({ 'auth-sid': s, ...vars });
    let handle = '';
    let lastProc = '';
    const send = async (n: string, vars: Record<string, string>, s = sid) => {
      const r = await dmapi(addr, n, as(s, vars));
      lastProc = r.h['proc-id']?.[0] ?? lastProc;
      return r;
    };
    const year = new Date(clock.now()).getUTCFullYear();
    const steps: [string, () => Promise<unknown>][] = [
      ['contact-create', async () => {
        const created = await send('contact-create', { tld: 'joker.test', name: 'Ann Test', email: 'ann@example.test', 'address-1': '1 Road', city: 'Town', 'postal-code': '123', country: 'EE', phone: '+372.5551234' });
        handle = created.h.handle?.[0] ?? '';
        expect(handle).toMatch(/^CJOK-/);
      }],
      ['contact-modify', () => send('contact-modify', { handle, city: 'Village' })],
      ['domain-register', () => send('domain-register', { domain: 'journal.joker.test', period: '12', status: 'production', 'owner-c': handle, 'admin-c': handle, 'tech-c': handle, 'billing-c': handle, 'ns-list': 'ns1.sandbox-dns.test:ns2.sandbox-dns.test' })],
      // A name server under journal.joker.test, after its domain (RFC 5732 section 3.2.1).
      ['ns-create', () => send('ns-create', { host: 'ns1.journal.joker.test', ip: '192.0.2.10' })],
      ['domain-renew', () => send('domain-renew', { domain: 'journal.joker.test', expyear: String(year + 3) })],
      ['domain-modify', () => send('domain-modify', { domain: 'journal.joker.test', 'ns-list': 'ns1.sandbox-dns.test' })],
      ['domain-lock', () => send('domain-lock', { domain: 'journal.joker.test' })],
      ['domain-unlock', () => send('domain-unlock', { domain: 'journal.joker.test' })],
      ['domain-set-property (found by pattern)', () => send('domain-set-property', { domain: '*.joker.test', pname: 'autorenew', pvalue: '1' })],
      ['domain-transfer-get-auth-id', () => send('domain-transfer-get-auth-id', { domain: 'journal.joker.test' })],
      ['result-delete', () => send('result-delete', { 'proc-id': lastProc })],
      ['domain-transfer-in-reseller by another reseller', async () => {
        const authId = storeOf(sandbox).domains.get('journal.joker.test')!.authId;
        return send('domain-transfer-in-reseller', { domain: 'journal.joker.test', 'transfer-auth-id': authId, 'admin-c': 'CJOK-2', 'tech-c': 'CJOK-2', 'billing-c': 'CJOK-2' }, rival);
      }],
      ['a refused request', () => send('domain-renew', { domain: 'journal.joker.test', period: '12' })],
      ['ns-modify', () => send('ns-modify', { host: 'ns1.journal.joker.test', ip: '192.0.2.11' })],
      ['ns-delete', () => send('ns-delete', { host: 'ns1.journal.joker.test' })],
      ['domain-register, then domain-delete', async () => {
        await send('domain-register', { domain: 'short.joker.test', period: '12', status: 'production', 'owner-c': handle, 'admin-c': handle, 'tech-c': handle, 'billing-c': handle, 'ns-list': 'ns1.sandbox-dns.test' });
        clock.advance(2000);
        await send('query-profile', {});
        return send('domain-delete', { domain: 'short.joker.test' });
      }],
      ['domain-redeem', () => send('domain-redeem', { domain: 'short.joker.test' })],
      ['domain-delete again', () => send('domain-delete', { domain: 'short.joker.test', force: '1' })],
      ['contact-delete', async () => {
        const created = await send('contact-create', { tld: 'joker.test', name: 'Gone Soon', email: 'gone@example.test', 'address-1': '1 Road', city: 'Town', 'postal-code': '123', country: 'EE', phone: '+372.5551234' });
        clock.advance(2000);
        await send('query-profile', {});
        return send('contact-delete', { handle: created.h.handle![0]! });
      }],
      ['thirty-one days on: purged after redemption', async () => {
        clock.advance(31 * DAY);
        return send('query-profile', {});
      }],
    ];
    for (const [step, run] of steps) {
      await run();
      clock.advance(2000); // the request is processed at the next one
      await send('query-profile', {});
      expect(canonical(await reloaded(sandbox, name, clock.now().getTime())), step).toEqual(canonical(storeOf(sandbox)));
    }
    const live = storeOf(sandbox);
    expect(live.domains.get('journal.joker.test')?.reseller).toBe(theReg.uid); // the scenario did what it says
    expect(live.domains.has('short.joker.test')).toBe(false);
    expect(live.jobs.filter((j) => j.status === 'ack').length).toBeGreaterThanOrEqual(14);
    const journal = await readFile(path.join(dir, `${name}.journal`), 'utf8');
    expect(journal.split('\n').length).toBeGreaterThan(steps.length);
    for (const d of live.domains.values()) expect(journal).not.toContain(d.authId);
    expect((await stat(path.join(dir, `${name}.journal`))).mode & 0o777).toBe(0o600);
    await sandbox.stop();
  });

  it('collects nothing without a state directory', async () => {
    const sandbox = new JokerSandbox({ domainDelayMs: 0 });
    await sandbox.start();
    sandbox.addDomains(newReg.uid, 10);
    const changes = storeOf(sandbox).takeChanges();
    expect([changes.domains.size, changes.contacts.size, changes.hosts.size, changes.jobs.size]).toEqual([0, 0, 0, 0]);
    await sandbox.stop();
  });

  it('grows by what a request changed, not by the portfolio: 100 renewals of 2,000 domains', async () => {
    const clock = new FakeClock('2026-06-01T10:00:00Z');
    const name = 'joker-size';
    const first = new JokerSandbox({ clock, state: { dir, name }, domainDelayMs: 0 });
    await first.start();
    const names = first.addDomains(newReg.uid, 2000);
    await first.stop(); // the next start writes them as its snapshot
    const sandbox = new JokerSandbox({ clock, state: { dir, name }, domainDelayMs: 0 });
    const addr = await sandbox.start();
    const snapshot = (await stat(path.join(dir, `${name}.json`))).size;
    const sid = (await dmapi(addr, 'login', { 'api-key': newReg.apiKey })).h['auth-sid']![0]!;
    for (const n of names.slice(0, 100)) await dmapi(addr, 'domain-renew', { 'auth-sid': sid, domain: n, period: '12' });
    await dmapi(addr, 'query-profile', { 'auth-sid': sid });
    const journal = (await stat(path.join(dir, `${name}.journal`))).size;
    expect(journal).toBeGreaterThan(0);
    expect(journal).toBeLessThan((snapshot / 2000) * 100 * 5); // a few domains' worth per request, not 100 snapshots
    expect(canonical(await reloaded(sandbox, name, clock.now().getTime()))).toEqual(canonical(storeOf(sandbox)));
    await sandbox.stop();
  });
});
