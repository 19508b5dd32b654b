/**
 * The Joker sandbox's state: resellers, sessions, contacts, hosts, domains and the asynchronous
 * requests with their results (DMAPI "result-list"). In memory (written to disk by state-file.ts
 * when the sandbox is given a state directory); reset() restores the seed.
 */
import { randomBytes } from 'node:crypto';
import type { ContactRec, DomainRec, HostRec, Job, Reseller, Session } from './records.js';
import { JOKER_SEED, type SeedReseller } from './seed.js';
import { NotingMap, noteKeys } from '../journaled-file.js';

/**
 * What changed since Store.takeChanges() last ran, for the state file's journal (state-file.ts):
 * keys of domains (name), contacts (handle) and name servers (host) changed, created or deleted,
 * and the Proc-IDs of requests accepted, processed or deleted; `all` after reset() or load().
 */
export interface StoreChanges {
  all: boolean;
  domains: Set<string>;
  contacts: Set<string>;
  hosts: Set<string>;
  jobs: Set<string>;
}

function noChanges(all: boolean): StoreChanges {
  return { all, domains: new Set(), contacts: new Set(), hosts: new Set(), jobs: new Set() };
}

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** Adds months in UTC, clamping the day (Jan 31 + 1 month = Feb 28/29). */
export function addMonths(ms: number, months: number): number {
  const d = new Date(ms);
  const day = d.getUTCDate();
  d.setUTCDate(1);
  d.setUTCMonth(d.getUTCMonth() + months);
  const last = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate();
  d.setUTCDate(Math.min(day, last));
  return d.getTime();
}

/** How a Store is built: served TLDs, TLDs with monthly periods, the resellers, whether to seed. */
export interface StoreConfig {
  tlds: string[];
  /** TLDs whose periods may be any number of months; the others take whole years. */
  monthlyTlds: string[];
  resellers: readonly SeedReseller[];
  seed: boolean;
  /** Handles query-contact-list answers unless "from" or "to" is given (the document's 10000). */
  contactListCap: number;
}

/** The sandbox's state in memory: resellers, sessions, contacts, name servers, domains and jobs (results); reset() restores the seed. */
export class Store {
  resellers = new Map<string, Reseller>();
  sessions = new Map<string, Session>();
  readonly contacts = new NotingMap<ContactRec>();
  readonly hosts = new NotingMap<HostRec>();
  readonly domains = new NotingMap<DomainRec>();
  jobs: Job[] = [];
  /** A fault for tests: while set, no queued request is processed (whatever the clock says). */
  held = false;
  /**
   * While true (the server sets it around each request and the processing of queued ones),
   * every record looked up by key counts as changed, so a request needs no bookkeeping of its
   * own to have what it changed journaled.
   */
  tracking = false;
  /** Whether changes are collected for takeChanges(): set by a state file (state-file.ts); without one nothing is kept. */
  journaling = false;
  private changeSet = noChanges(true);
  private seq = { proc: 0, track: 0, handle: 0 };

  constructor(readonly cfg: StoreConfig) {
    const tracking = () => this.tracking;
    const sets = () => (this.journaling ? this.changeSet : undefined);
    noteKeys(this.domains, () => sets()?.domains, tracking);
    noteKeys(this.contacts, () => sets()?.contacts, tracking);
    noteKeys(this.hosts, () => sets()?.hosts, tracking);
  }

  /** Notes a record changed that was found by iterating (not by a lookup the maps note themselves). */
  noteChanged(kind: 'domain' | 'contact' | 'host', key: string): void {
    if (!this.journaling) return;
    (kind === 'domain' ? this.changeSet.domains : kind === 'contact' ? this.changeSet.contacts : this.changeSet.hosts).add(key);
  }

  /** Notes that a request was accepted, processed or its result deleted (by Proc-ID). */
  noteJob(procId: string): void {
    if (this.journaling) this.changeSet.jobs.add(procId);
  }

  /** What changed since the last call (the first call, and any after reset() or load(): everything). */
  takeChanges(): StoreChanges {
    const taken = this.changeSet;
    this.changeSet = noChanges(false);
    return taken;
  }

  /** Replaces contacts, name servers, domains and requests with saved ones (balances and sequences: the state file sets them). */
  load(saved: { contacts: ContactRec[]; hosts: HostRec[]; domains: DomainRec[]; jobs: Job[] }): void {
    this.contacts.clear();
    this.hosts.clear();
    this.domains.clear();
    for (const c of saved.contacts) this.contacts.set(c.handle, c);
    for (const h of saved.hosts) this.hosts.set(h.host, h);
    for (const d of saved.domains) this.domains.set(d.name, d);
    this.jobs = saved.jobs;
    this.changeSet = noChanges(true);
  }

  reset(now: number): void {
    this.changeSet = noChanges(true);
    this.resellers = new Map(this.cfg.resellers.map((r) => [r.uid, { ...r }]));
    this.sessions.clear();
    this.contacts.clear();
    this.hosts.clear();
    this.domains.clear();
    this.jobs = [];
    // Proc-IDs are never given twice: the gateway keeps one poll message per Proc-ID, so they go on
    // from the start time (ms x 100) rather than from the seed's 5000 again after a restart, and on
    // from the last one after a reset.
    this.seq = { proc: Math.max(this.seq.proc, now * 100), track: 400_000, handle: 100 };
    if (!this.cfg.seed) return;
    const tld = this.cfg.tlds[0];
    for (const c of JOKER_SEED.contacts) this.contacts.set(c.handle, { handle: c.handle, reseller: c.reseller, tld, fields: { ...c.fields }, created: now - 400 * DAY_MS, modified: now - 400 * DAY_MS });
    for (const h of JOKER_SEED.hosts) this.hosts.set(h.host, { ...h, created: now - 400 * DAY_MS });
    for (const d of JOKER_SEED.domains) {
      const name = `${d.label}.${tld}`;
      const created = now - 300 * DAY_MS;
      this.domains.set(name, {
        name,
        reseller: d.reseller,
        owner: d.contact,
        admin: d.contact,
        tech: d.contact,
        billing: d.contact,
        ns: [...d.ns],
        ds: [],
        lock: false,
        autorenew: false,
        privacy: 'off',
        created,
        modified: created,
        expires: addMonths(created, 12),
        authId: d.authId,
        deletedAt: null,
        registrationCents: 0,
      });
    }
  }

  /** The id sequences (Proc-ID, Tracking-Id, contact handle), for the state file. */
  sequences(): { proc: number; track: number; handle: number } {
    return { ...this.seq };
  }

  /** Restores saved id sequences; Proc-IDs go on from the later of the saved one and the start time (ms x 100), as reset() does. */
  restoreSequences(saved: { proc: number; track: number; handle: number }, now: number): void {
    this.seq = { proc: Math.max(this.seq.proc, saved.proc, now * 100), track: Math.max(this.seq.track, saved.track), handle: Math.max(this.seq.handle, saved.handle) };
  }

  nextProcId(): string {
    return String(++this.seq.proc);
  }
  nextTrackingId(): string {
    return String(++this.seq.track);
  }
  nextHandle(): string {
    return `CJOK-${++this.seq.handle}`;
  }
  newSid(): string {
    return randomBytes(16).toString('hex');
  }

  /** The TLD of a served name (longest matching suffix), or undefined. */
  tldOf(name: string): string | undefined {
    return [...this.cfg.tlds].sort((a, b) => b.length - a.length).find((t) => name.endsWith(`.${t}`) && name.length > t.length + 1 && !name.slice(0, -t.length - 1).includes('.'));
  }

  /** Domains that refer to a contact handle or a name server. */
  usersOf(kind: 'contact' | 'host', id: string): string[] {
    return [...this.domains.values()]
      .filter((d) => (kind === 'contact' ? [d.owner, d.admin, d.tech, d.billing].includes(id) : d.ns.includes(id)))
      .map((d) => d.name);
  }
}
