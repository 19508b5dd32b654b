/** The sandbox registry's state: domains, hosts, contacts, poll queues; built from the seed. */
import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Profile } from './greeting.js';
import type { ContactRecord, DomainRecord, HostRecord, PollMessage } from './records.js';
import { SEED_CONTACTS, SEED_DOMAINS, SEED_HOSTS, type SeedRegistrar } from './seed.js';
import type { XNode } from './xml.js';
import { NotingMap, noteKeys } from '../journaled-file.js';

/** One day in milliseconds, the unit of POLICY and the seed's day counts. */
export const DAY_MS = 86_400_000;

/** Registry policy (Nomulus defaults). */
export const POLICY = {
  addGraceMs: 5 * DAY_MS,
  renewGraceMs: 5 * DAY_MS,
  transferGraceMs: 5 * DAY_MS,
  autoRenewGraceMs: 45 * DAY_MS,
  redemptionMs: 30 * DAY_MS,
  pendingDeleteMs: 5 * DAY_MS,
  maxRegistrationYears: 10,
  maxChecks: 50,
  maxNameservers: 13,
  maxDsRecords: 8,
} as const;

/** How a Store is built: profile, TLDs (lower-case, no dot), registrar accounts, pending-transfer period (ms), whether to seed. */
export interface StoreConfig {
  profile: Profile;
  tlds: string[];
  registrars: SeedRegistrar[];
  transferPeriodMs: number;
  seed: boolean;
}

/**
 * Adds years in UTC, clamping Feb 29 to Feb 28 like Joda-Time does (Nomulus: DateTime.plusYears).
 * The sandbox plays the registry, so it keeps this rule of its own rather than the gateway's
 * addPeriod (src/core/time.ts): with one shared function a wrong rule would pass every
 * end-to-end test on both sides; test/unit/core/time.test.ts checks that the two agree.
 */
export function addYears(d: Date, years: number): Date {
  const out = new Date(d.getTime());
  out.setUTCFullYear(d.getUTCFullYear() + years);
  if (out.getUTCDate() !== d.getUTCDate()) out.setUTCDate(0);
  return out;
}

/**
 * The objects changed since Store.takeChanges() last ran, for the state file's journal
 * (state-file.ts): keys of domains (name), hosts (roid) and contacts (id) changed, created or
 * deleted; ids of poll messages added and removed; `all` after reset() or load() (write everything).
 */
export interface StoreChanges {
  all: boolean;
  domains: Set<string>;
  hosts: Set<string>;
  contacts: Set<string>;
  pollAdded: Set<string>;
  pollRemoved: Set<string>;
}

function noChanges(all: boolean): StoreChanges {
  return { all, domains: new Set(), hosts: new Set(), contacts: new Set(), pollAdded: new Set(), pollRemoved: new Set() };
}

/** The registry's state in memory: domains by name, hosts by roid, contacts by id, poll messages, passwords; reset() reloads the seed. */
export class Store {
  readonly domains = new NotingMap<DomainRecord>();
  readonly hosts = new NotingMap<HostRecord>();
  readonly contacts = new NotingMap<ContactRecord>();
  poll: PollMessage[] = [];
  /**
   * While true (dispatch.ts sets it around every command that may change the state), every record
   * looked up by key (Map get, hostByName, domainByRoid) counts as changed, so a flow needs no
   * bookkeeping of its own to have what it changed journaled.
   */
  tracking = false;
  /** Whether changes are collected for takeChanges(): set by a state file (state-file.ts); without one nothing is kept. */
  journaling = false;
  private changeSet: StoreChanges = noChanges(true);
  readonly passwords = new Map<string, string>();
  private roidSeq = 0;
  private pollSeq = 0;
  /**
   * Distinguishes this run's poll message ids from an earlier run's: a real registry never reuses
   * a message id, and the gateway (rightly) stores a message id once per account, so a restarted
   * sandbox counting from 1 again would have its new messages taken for ones already stored.
   */
  private pollRun = '';
  /** Counts touch(), noteCommand() and addPoll() calls (see version). */
  private changes = 0;

  constructor(
    readonly cfg: StoreConfig,
    private readonly clock: Clock,
  ) {
    const tracking = () => this.tracking;
    const sets = () => (this.journaling ? this.changeSet : undefined);
    noteKeys(this.domains, () => sets()?.domains, tracking);
    noteKeys(this.hosts, () => sets()?.hosts, tracking);
    noteKeys(this.contacts, () => sets()?.contacts, tracking);
    this.reset();
  }

  /** Notes a record changed that no map lookup noted (lifecycle.ts's time-driven events, hostByName, domainByRoid); nothing without a journal. */
  noteChanged(kind: 'domain' | 'host' | 'contact', key: string): void {
    if (!this.journaling) return;
    (kind === 'domain' ? this.changeSet.domains : kind === 'host' ? this.changeSet.hosts : this.changeSet.contacts).add(key);
  }

  /** What changed since the last call (the first call, and any after reset() or load(): everything). */
  takeChanges(): StoreChanges {
    const taken = this.changeSet;
    this.changeSet = noChanges(false);
    return taken;
  }

  /** Removes one poll message (an acknowledged one, RFC 5730 section 2.9.2.3). */
  removePoll(m: PollMessage): void {
    this.poll = this.poll.filter((p) => p !== m);
    if (this.journaling) {
      this.changeSet.pollAdded.delete(m.id);
      this.changeSet.pollRemoved.add(m.id);
    }
    this.touch();
  }

  /**
   * No time-driven event (lifecycle.ts) is due before this (ms since the epoch): the next tick
   * looks at the objects only from then on. Lowered by every change (lifecycle's objectChanged;
   * touch() for changes made outside the command flows), set by each tick that looked.
   */
  nextDue = -Infinity;

  /** Notes that the state changed (the persisted copy, if any, must be written again; the next tick looks at every object). */
  touch(): void {
    this.changes += 1;
    this.nextDue = -Infinity;
  }

  /**
   * Notes that a command that may have changed the state ran (the persisted copy, if any, must be
   * written again). Unlike touch() it leaves nextDue alone: a command's own object brings its
   * events forward itself (lifecycle's objectChanged), and a tick that looked at every object
   * after each command would cost each command of a bulk job the whole registry.
   */
  noteCommand(): void {
    this.changes += 1;
  }

  /** A number that moves whenever touch(), noteCommand() or addPoll() ran: compare two readings to see a change. */
  get version(): number {
    return this.changes;
  }

  /** Sequence numbers that must continue, not restart, when the state is restored. */
  get sequences(): { roidSeq: number; pollSeq: number; pollRun: string } {
    return { roidSeq: this.roidSeq, pollSeq: this.pollSeq, pollRun: this.pollRun };
  }

  /**
   * Replaces the objects and poll queues with a saved state (registrar passwords stay as
   * configured: they are configuration, not registry data).
   */
  load(state: { domains: DomainRecord[]; hosts: HostRecord[]; contacts: ContactRecord[]; poll: PollMessage[]; sequences: Store['sequences'] }): void {
    this.domains.clear();
    this.hosts.clear();
    this.contacts.clear();
    for (const d of state.domains) this.domains.set(d.name, d);
    for (const h of state.hosts) this.hosts.set(h.roid, h);
    for (const c of state.contacts) this.contacts.set(c.id, c);
    this.poll = state.poll;
    ({ roidSeq: this.roidSeq, pollSeq: this.pollSeq, pollRun: this.pollRun } = state.sequences);
    this.changeSet = noChanges(true);
    this.touch();
  }

  reset(): void {
    this.touch();
    this.changeSet = noChanges(true);
    this.domains.clear();
    this.hosts.clear();
    this.contacts.clear();
    this.poll = [];
    this.passwords.clear();
    this.roidSeq = 0;
    this.pollSeq = 0;
    this.pollRun = randomBytes(4).toString('hex').toUpperCase();
    for (const r of this.cfg.registrars) this.passwords.set(r.clientId, r.password);
    if (this.cfg.seed) this.loadSeed(this.clock.now());
  }

  private loadSeed(now: Date): void {
    const tld = this.cfg.tlds[0];
    if (tld === undefined) return;
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    const sub = (name: string) => name.replaceAll('{tld}', tld);
    if (this.cfg.profile === 'contacts') {
      for (const c of SEED_CONTACTS) {
        this.contacts.set(c.id, {
          id: c.id,
          roid: this.nextRoid('ROID'),
          sponsor: c.sponsor,
          crID: c.sponsor,
          crDate: ago(c.createdDaysAgo),
          statuses: new Set(),
          postalInfo: [{ type: 'int', name: c.name, org: c.org, street: [...c.street], city: c.city, sp: c.sp, pc: c.pc, cc: c.cc }],
          voice: c.voice ? { number: c.voice } : undefined,
          email: c.email,
          authInfo: c.authInfo,
        });
      }
    }
    for (const s of SEED_DOMAINS) {
      const d: DomainRecord = {
        name: `${s.label}.${tld}`,
        tld,
        roid: this.nextRoid(roidSuffix(tld)),
        sponsor: s.sponsor,
        crID: s.creator,
        crDate: ago(s.createdDaysAgo),
        exDate: ago(-s.expiresInDays),
        statuses: new Set(s.statuses),
        registrant: this.cfg.profile === 'contacts' ? s.registrant : undefined,
        contacts: this.cfg.profile === 'contacts' ? s.contacts.map((c) => ({ ...c })) : [],
        nameservers: [],
        authInfo: s.authInfo,
        dsData: [],
        keyData: [],
        grace: [],
      };
      if (s.deletedDaysAgo !== undefined) {
        const deletedAt = ago(s.deletedDaysAgo);
        d.upID = s.sponsor;
        d.upDate = deletedAt;
        const redemptionEnd = new Date(deletedAt.getTime() + POLICY.redemptionMs);
        d.deletion = {
          redemptionEnd,
          purgeAt: new Date(redemptionEnd.getTime() + POLICY.pendingDeleteMs),
          trid: { server: 'seed-delete' },
        };
      }
      this.domains.set(d.name, d);
    }
    for (const h of SEED_HOSTS) {
      const name = sub(h.name);
      const superordinate = this.superordinateDomainName(name);
      const host: HostRecord = {
        name,
        roid: this.nextRoid('ROID'),
        sponsor: h.sponsor,
        crID: h.sponsor,
        crDate: ago(h.createdDaysAgo),
        statuses: new Set(h.statuses),
        addresses: h.addresses.map((a) => ({ ip: a.includes(':') ? 'v6' : 'v4', addr: a })),
        superordinate: superordinate ? this.domains.get(superordinate)?.roid : undefined,
      };
      this.hosts.set(host.roid, host);
    }
    for (const s of SEED_DOMAINS) {
      const d = this.domains.get(`${s.label}.${tld}`)!;
      d.nameservers = s.nameservers.map((n) => this.hostByName(sub(n))!.roid);
    }
  }

  nextRoid(suffix: string): string {
    this.roidSeq += 1;
    return `${this.roidSeq.toString(16).toUpperCase()}-${suffix}`;
  }

  /** The configured TLD a name falls under (longest match), if any. */
  tldOf(name: string): string | undefined {
    return [...this.cfg.tlds]
      .sort((a, b) => b.length - a.length)
      .find((t) => name.endsWith(`.${t}`));
  }

  /** For a host name under one of our TLDs, the domain it would be subordinate to. */
  superordinateDomainName(hostName: string): string | undefined {
    const tld = this.tldOf(hostName);
    if (tld === undefined) return undefined;
    const labels = hostName.slice(0, -(tld.length + 1)).split('.');
    return `${labels[labels.length - 1]}.${tld}`;
  }

  /** The host of this name; a lookup like hosts.get (noted as changed while tracking). */
  hostByName(name: string): HostRecord | undefined {
    for (const h of this.hosts.values()) {
      if (h.name === name) {
        if (this.tracking) this.noteChanged('host', h.roid);
        return h;
      }
    }
    return undefined;
  }

  /** The domain of this roid; a lookup like domains.get (noted as changed while tracking). */
  domainByRoid(roid: string): DomainRecord | undefined {
    for (const d of this.domains.values()) {
      if (d.roid === roid) {
        if (this.tracking) this.noteChanged('domain', d.name);
        return d;
      }
    }
    return undefined;
  }

  hostSponsor(h: HostRecord): string {
    const sup = h.superordinate ? this.domainByRoid(h.superordinate) : undefined;
    return sup ? sup.sponsor : h.sponsor;
  }

  subordinateHosts(d: DomainRecord): HostRecord[] {
    return [...this.hosts.values()].filter((h) => h.superordinate === d.roid);
  }

  isHostLinked(h: HostRecord): boolean {
    for (const d of this.domains.values()) if (d.nameservers.includes(h.roid)) return true;
    return false;
  }

  isContactLinked(id: string): boolean {
    for (const d of this.domains.values()) {
      if (d.registrant === id || d.contacts.some((c) => c.id === id)) return true;
    }
    return false;
  }

  addPoll(clientId: string, eventTime: Date, msg: string, resData: XNode[]): PollMessage {
    this.pollSeq += 1;
    const m: PollMessage = { id: `${this.pollSeq}-${this.pollRun}-${eventTime.getUTCFullYear()}`, clientId, eventTime, msg, resData };
    this.poll.push(m);
    if (this.journaling) this.changeSet.pollAdded.add(m.id);
    this.touch();
    return m;
  }

  /** Messages a registrar can see now, oldest first. */
  visiblePoll(clientId: string, now: Date): PollMessage[] {
    return this.poll
      .filter((m) => m.clientId === clientId && m.eventTime.getTime() <= now.getTime())
      .sort((a, b) => a.eventTime.getTime() - b.eventTime.getTime() || seqOf(a) - seqOf(b));
  }
}

function seqOf(m: PollMessage): number {
  return Number.parseInt(m.id, 10);
}

/** ROID suffix for a TLD: upper-case word characters, at most 8 (eppcom roidType). */
export function roidSuffix(tld: string): string {
  const s = tld.toUpperCase().replace(/[^A-Z0-9_]/g, '_').slice(0, 8);
  return s.length > 0 ? s : 'TLD';
}
