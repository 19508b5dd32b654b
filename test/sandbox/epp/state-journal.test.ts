/**
 * The state file writes only what a command changed (a journal line beside the snapshot): after
 * every command of a long scenario over EPP, covering each object command that changes the
 * registry, the time-driven events (transfer auto-approval, auto-renewal, purge) and poll
 * acknowledgements, a registry loaded from a copy of the files (snapshot plus journal) is the
 * registry the sandbox holds. A change the journal missed shows here as a difference naming the
 * command. Also: the journal stays small (a command costs its own records, not the registry's),
 * a journal line cut short by a kill is dropped, and a journal of an older generation than the
 * snapshot (a kill between a snapshot and its journal's truncation) is not applied twice.
 */
import { appendFile, copyFile, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { EppSandbox, SANDBOX_REGISTRARS } from '../../../src/sandbox/epp/index.js';
import { tick } from '../../../src/sandbox/epp/lifecycle.js';
import { StateFile } from '../../../src/sandbox/epp/state-file.js';
import { Store } from '../../../src/sandbox/epp/store.js';
import { PASSWORDS, fx, fxWith, session, type RawEppClient, type Resp } from './client.js';

const DAY = 86_400_000;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-sandbox-journal-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The sandbox's registry (the object under test holds it privately; the test compares it whole). */
function storeOf(sandbox: EppSandbox): Store {
  return (sandbox as unknown as { store: Store }).store;
}

/** A registry as plain data, order-free, time-driven events applied at `now` on both sides alike. */
function canonical(store: Store, now: Date): unknown {
  tick(store, now);
  const plain = (v: unknown): unknown =>
    JSON.parse(JSON.stringify(v, function (this: Record<string, unknown>, key, value: unknown) {
      const raw = this[key];
      if (raw instanceof Set) return [...raw].sort();
      return value;
    }));
  const sorted = <T>(values: Iterable<T>, key: (v: T) => string) => [...values].sort((a, b) => key(a).localeCompare(key(b)));
  return plain({
    sequences: store.sequences,
    domains: sorted(store.domains.values(), (d) => d.name),
    hosts: sorted(store.hosts.values(), (h) => h.roid),
    contacts: sorted(store.contacts.values(), (c) => c.id),
    poll: sorted(store.poll, (m) => m.id),
  });
}

/** The registry a fresh start would load from the sandbox's files now: copied, so the running sandbox's files stay as they are. */
async function reloaded(sandbox: EppSandbox, name: string, clock: FakeClock): Promise<Store> {
  const copy = await mkdtemp(path.join(dir, 'copy-'));
  for (const f of await readdir(dir)) {
    if (f === 'state.key' || f.startsWith(`${name}.`)) await copyFile(path.join(dir, f), path.join(copy, f)).catch(() => undefined);
  }
  const live = storeOf(sandbox);
  const store = new Store({ ...live.cfg, seed: false }, clock);
  const file = new StateFile(copy, name, store);
  await file.open();
  await file.close();
  await rm(copy, { recursive: true, force: true });
  return store;
}

async function journalBytes(name: string): Promise<number> {
  return (await stat(path.join(dir, `${name}.journal`)).catch(() => ({ size: 0 }))).size;
}

describe('the state journal', () => {
  it('holds, after every command of a scenario over every changing command and time-driven event, what the sandbox holds (nomulus profile)', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    PASSWORDS.ThirdRegistrar = 'third-PW1';
    const name = 'journal-nomulus';
    const sandbox = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name }, registrars: [...SANDBOX_REGISTRARS, { clientId: 'ThirdRegistrar', password: 'third-PW1' }] });
    const addr = await sandbox.start();
    const the = await session(addr, 'TheRegistrar', 'nomulus');
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    const lastPollId = async (c: RawEppClient) => ((await c.send(fx('poll/poll.xml'))) as Resp).msgQ?.id ?? 'none';
    const steps: [string, () => Promise<unknown>][] = [
      ['domain create', () => neu.send(fxWith('domain/domain_create.xml', { fooBAR: 'Auth-Pw-1' }, { DOMAIN: 'journal.tld' }))],
      ['domain create, in the add grace', () => neu.send(fx('domain/domain_create.xml', { DOMAIN: 'shortlived.tld' }))],
      ['domain delete in the add grace (gone at once)', () => neu.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'shortlived.tld' }))],
      ['domain delete into redemption', () => neu.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'test.tld' }))],
      ['a refused command (2201)', () => neu.send(fxWith('domain/domain_delete.xml', {}))],
      ['host create, subordinate', () => the.send(fx('host/host_create.xml', { HOSTNAME: 'ns9.example.tld' }))],
      ['host update, renamed', () => the.send(fx('host/host_update.xml', { 'OLD-HOSTNAME': 'ns9.example.tld', 'NEW-HOSTNAME': 'ns8.example.tld' }))],
      ['domain update (name servers, statuses)', () => the.send(fxWith('domain/domain_update.xml', {
        '<domain:hostObj>ns2.example.foo</domain:hostObj>': '<domain:hostObj>ns2.example.net</domain:hostObj>',
        '<domain:hostObj>ns1.example.foo</domain:hostObj>': '<domain:hostObj>ns8.example.tld</domain:hostObj>',
      }))],
      ['host delete', () => neu.send(fx('host/host_delete.xml', { HOSTNAME: 'ns2.example.foo' }))],
      ['domain renew', () => neu.send(fxWith('domain/domain_renew.xml', { '2000-04-03': '2028-01-01' }, { DOMAIN: 'journal.tld', YEARS: '2' }))],
      ['domain update with secDNS', () => the.send(fx('domain/domain_update_dsdata_add.xml'))],
      ['domain transfer request (poll message to the losing registrar)', () => neu.send(fxWith('domain/domain_transfer_request.xml', { fooBAR: '2BARfoo' }))],
      ['domain transfer reject', () => the.send(fx('domain/domain_transfer_reject.xml'))],
      ['domain transfer request again', () => neu.send(fxWith('domain/domain_transfer_request.xml', { fooBAR: '2BARfoo' }))],
      ['poll ack', async () => neu.send(fx('poll/poll_ack.xml', { MSGID: await lastPollId(neu) }))],
      ['poll ack of the losing registrar', async () => the.send(fx('poll/poll_ack.xml', { MSGID: await lastPollId(the) }))],
      ['five days on: the transfer auto-approved, seen by an info', async () => {
        clock.advance(5 * DAY + 1000);
        return neu.send(fx('domain/domain_info.xml'));
      }],
      ['restore out of redemption', () => neu.send(fx('domain/domain_update_restore_request.xml', { DOMAIN: 'test.tld' }))],
      ['domain delete again', () => neu.send(fxWith('domain/domain_delete.xml', { 'example.tld': 'test.tld' }))],
      ['thirty-six days on: purged, seen by an info', async () => {
        clock.advance(36 * DAY);
        return neu.send(fx('domain/domain_info.xml'));
      }],
      ['a year on: auto-renewals, seen by a poll request', async () => {
        clock.advance(366 * DAY);
        return neu.send(fx('poll/poll.xml'));
      }],
      ['domain create after them all', () => the.send(fx('domain/domain_create.xml', { DOMAIN: 'late.tld' }))],
    ];
    let changed = 0;
    for (const [step, run] of steps) {
      const before = JSON.stringify(canonical(storeOf(sandbox), clock.now()));
      await run();
      const live = canonical(storeOf(sandbox), clock.now());
      if (JSON.stringify(live) !== before) changed += 1;
      expect(canonical(await reloaded(sandbox, name, clock), clock.now()), step).toEqual(live);
    }
    expect(changed).toBeGreaterThanOrEqual(steps.length - 2); // the scenario does change the registry
    const journal = await readFile(path.join(dir, `${name}.journal`), 'utf8');
    expect(journal.split('\n').length).toBeGreaterThan(steps.length / 2); // written as journal lines, not snapshots
    expect(journal).not.toContain('Auth-Pw-1');
    the.close();
    neu.close();
    await sandbox.stop();
  });

  it('holds contacts, their updates, transfers and deletion (contacts profile)', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const name = 'journal-contacts';
    const sandbox = new EppSandbox({ profile: 'contacts', clock, state: { dir, name } });
    const addr = await sandbox.start();
    const the = await session(addr, 'TheRegistrar', 'contacts');
    const neu = await session(addr, 'NewRegistrar', 'contacts');
    const steps: [string, () => Promise<unknown>][] = [
      ['contact create', () => neu.send(fx('contact/contact_create.xml'))],
      ['contact update', () => neu.send(fx('contact/contact_update.xml'))],
      ['contact transfer request', () => the.send(fx('contact/contact_transfer_request.xml'))],
      ['contact transfer approve', () => neu.send(fxWith('contact/contact_transfer_request.xml', { 'op="request"': 'op="approve"' }))],
      ['contact transfer request back', () => neu.send(fx('contact/contact_transfer_request.xml'))],
      ['five days on: auto-approved, seen by a check', async () => {
        clock.advance(5 * DAY + 1000);
        return neu.send(fx('contact/contact_check.xml'));
      }],
      ['an unlinked contact deleted', async () => {
        await neu.send(fxWith('contact/contact_create.xml', { sh8013: 'gone1' }));
        return neu.send(fxWith('contact/contact_delete.xml', { sh8013: 'gone1' }));
      }],
    ];
    for (const [step, run] of steps) {
      await run();
      expect(canonical(await reloaded(sandbox, name, clock), clock.now()), step).toEqual(canonical(storeOf(sandbox), clock.now()));
    }
    the.close();
    neu.close();
    await sandbox.stop();
  });

  it('grows by what a command changed, not by the registry: 200 renewals of a 2,000-domain registry', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const name = 'journal-size';
    const sandbox = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name } });
    const addr = await sandbox.start();
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    for (let i = 0; i < 2000; i++) await neu.send(fx('domain/domain_create.xml', { DOMAIN: `bulk${i}.tld` }));
    await sandbox.stop(); // the next start writes a snapshot and empties the journal
    const again = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name } });
    const addr2 = await again.start();
    const neu2 = await session(addr2, 'NewRegistrar', 'nomulus');
    const snapshot = (await stat(path.join(dir, `${name}.json`))).size;
    expect(await journalBytes(name)).toBe(0);
    for (let i = 0; i < 200; i++) {
      const r = await neu2.send(fxWith('domain/domain_renew.xml', { '2000-04-03': '2028-01-01' }, { DOMAIN: `bulk${i}.tld`, YEARS: '1' }));
      expect(r.code).toBe(1000);
    }
    const grown = await journalBytes(name);
    expect(grown).toBeGreaterThan(0);
    // 200 whole-registry writes would be 200 snapshots; the journal holds 200 domains' worth.
    expect(grown).toBeLessThan((snapshot / 2000) * 200 * 3);
    expect(canonical(await reloaded(again, name, clock), clock.now())).toEqual(canonical(storeOf(again), clock.now()));
    neu2.close();
    await again.stop();
  });

  it('collects nothing without a state directory (a long-running sandbox would keep every key and poll id it ever changed)', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const sandbox = new EppSandbox({ profile: 'nomulus', clock });
    const addr = await sandbox.start();
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    expect((await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'unkept.tld' }))).code).toBe(1000);
    expect((await neu.send(fx('domain/domain_transfer_request.xml'))).code).toBe(1001); // a poll message for TheRegistrar
    const changes = storeOf(sandbox).takeChanges();
    expect([changes.domains.size, changes.hosts.size, changes.contacts.size, changes.pollAdded.size, changes.pollRemoved.size]).toEqual([0, 0, 0, 0, 0]);
    neu.close();
    await sandbox.stop();
  });

  it('drops a last journal line a kill cut short, and skips the lines of an older generation', async () => {
    const clock = new FakeClock('2026-01-01T00:00:00Z');
    const name = 'journal-cut';
    const sandbox = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name } });
    const addr = await sandbox.start();
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    expect((await neu.send(fx('domain/domain_create.xml', { DOMAIN: 'kept.tld' }))).code).toBe(1000);
    neu.close();
    const expected = canonical(storeOf(sandbox), clock.now());
    const journal = path.join(dir, `${name}.journal`);
    const lines = await readFile(journal, 'utf8');
    // A kill in the middle of the next line's write: half of a copy of the last line, no newline.
    await appendFile(journal, lines.trimEnd().split('\n').pop()!.slice(0, 40));
    expect(canonical(await reloaded(sandbox, name, clock), clock.now())).toEqual(expected);
    await sandbox.stop();
    const compacting = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name } });
    await compacting.start(); // a start writes the state as a new snapshot and empties the journal
    await compacting.stop();
    expect(await journalBytes(name)).toBe(0);
    // A kill after a new snapshot was renamed into place, before the journal was emptied: its lines are in the snapshot already.
    const snapshot = JSON.parse(await readFile(path.join(dir, `${name}.json`), 'utf8')) as { generation: number };
    const stale = lines.replaceAll(/"generation":\d+/g, `"generation":${snapshot.generation - 1}`).replaceAll('kept.tld', 'phantom.tld');
    await writeFile(journal, stale);
    const restarted = new EppSandbox({ profile: 'nomulus', clock, state: { dir, name } });
    await restarted.start();
    expect(restarted.domain('kept.tld')).toBeDefined();
    expect(restarted.domain('phantom.tld')).toBeUndefined();
    await restarted.stop();
  });
});
