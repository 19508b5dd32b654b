/** The REPP sandbox registry's state: registrars, contacts, domains, notifications; built from the seed. */
import { randomBytes } from 'node:crypto';
import { CreditBalanceLow } from './errors.js';
import type { ApiUser, ContactRecord, DomainRecord, NotificationRecord, RegistrarRecord } from './records.js';
import { REPP_SEED_CONTACTS, REPP_SEED_DOMAINS, REPP_SEED_NOTIFICATIONS, REPP_SEED_REGISTRARS, type SeedRegistrar } from './seed.js';
import { DAY_MS, addDays, addMonths, dateTallinn, midnightTallinn } from './time.js';

/** How a Store is built: zones served (no leading dot), registrars, whether to load the seed. */
export interface StoreConfig {
  /** Zones served, without a leading dot ("ee", "com.ee", "pri.ee"). */
  tlds: string[];
  registrars: readonly SeedRegistrar[];
  seed: boolean;
}

/** The registry's state in memory: registrars, contacts, domains, notifications, removed names (410); reset() reloads the seed. */
export class Store {
  readonly registrars = new Map<string, RegistrarRecord>();
  readonly contacts = new Map<string, ContactRecord>();
  readonly domains = new Map<string, DomainRecord>();
  readonly notifications: NotificationRecord[] = [];
  /** Names and codes deleted through the API ("domain:x.ee", "contact:ATSAA:X"): answered 410 until re-created. */
  readonly removed = new Set<string>();
  private users = new Map<string, { user: ApiUser; registrar: RegistrarRecord }>();
  private seq = { domain: 100, nameserver: 1000, dnskey: 1000, notification: 1400 };

  constructor(readonly cfg: StoreConfig) {}

  reset(now: Date): void {
    this.registrars.clear();
    this.contacts.clear();
    this.domains.clear();
    this.notifications.length = 0;
    this.removed.clear();
    this.users.clear();
    // Notification ids are never given twice (the gateway keeps one poll message per id): new ones
    // go on from the start time in ms, not from 1400 again after a restart, and on after a reset.
    // The seed's own notifications keep their ids (they are the same messages every time).
    this.seq = { domain: 100, nameserver: 1000, dnskey: 1000, notification: Math.max(this.seq.notification, now.getTime()) };
    for (const r of this.cfg.registrars) {
      let balance = r.openingCents;
      const rec: RegistrarRecord = {
        id: r.id,
        code: r.code,
        name: r.name,
        website: r.website,
        users: r.users.map((u) => ({ ...u, roles: [...u.roles] })),
        currency: 'EUR',
        balanceCents: 0,
        transactions: r.transactions.map((t) => ({ at: new Date(t.at), description: t.description, cents: t.cents, balanceCents: (balance += t.cents) })),
      };
      rec.balanceCents = balance;
      this.registrars.set(rec.id, rec);
      for (const user of rec.users) this.users.set(user.username, { user, registrar: rec });
    }
    if (!this.cfg.seed) return;
    const ago = (days: number) => new Date(now.getTime() - days * DAY_MS);
    for (const c of REPP_SEED_CONTACTS) {
      if (!this.registrars.has(c.registrar)) continue;
      const at = ago(c.createdDaysAgo);
      this.contacts.set(c.code, { ...c, ident: { ...c.ident }, statuses: new Map(), createdAt: at, updatedAt: at });
    }
    for (const d of REPP_SEED_DOMAINS) {
      if (!this.registrars.has(d.registrar) || !this.serves(d.name)) continue;
      const createdAt = ago(d.createdDaysAgo);
      const years = Math.floor(d.createdDaysAgo / 365) + 1;
      this.domains.set(d.name, {
        id: d.id,
        name: d.name,
        registrar: d.registrar,
        registrant: d.registrant,
        admin: [...d.admin],
        tech: [...d.tech],
        nameservers: d.nameservers.map((n) => ({ id: this.seq.nameserver++, hostname: n.hostname, ipv4: [...(n.ipv4 ?? [])], ipv6: [...(n.ipv6 ?? [])] })),
        dnskeys: (d.dnskeys ?? []).map((k) => ({ id: this.seq.dnskey++, ...k })),
        statuses: new Set(d.statuses ?? []),
        createdAt,
        updatedAt: createdAt,
        expiresAt: expiryAfter(createdAt, years * 12),
        transferCode: d.transferCode,
      });
    }
    for (const n of REPP_SEED_NOTIFICATIONS) {
      if (!this.registrars.has(n.registrar)) continue;
      this.notifications.push({ id: n.id, registrar: n.registrar, text: n.text, attachedObjType: n.attachedObjType, attachedObjId: n.attachedObjId, read: false, createdAt: new Date(n.at) });
    }
  }

  /** The API user with these credentials, and its registrar. */
  authenticate(username: string, password: string): { user: ApiUser; registrar: RegistrarRecord } | undefined {
    const u = this.users.get(username);
    return u && u.user.password === password ? u : undefined;
  }

  /** The served zone a name is directly under ("mari.pri.ee" -> "pri.ee"), or undefined. */
  zoneOf(name: string): string | undefined {
    const zones = this.cfg.tlds.filter((z) => name.endsWith(`.${z}`)).sort((a, b) => b.length - a.length);
    return zones[0];
  }

  serves(name: string): boolean {
    const zone = this.zoneOf(name);
    return zone !== undefined && !name.slice(0, -zone.length - 1).includes('.');
  }

  registrar(id: string): RegistrarRecord {
    const r = this.registrars.get(id);
    if (!r) throw new Error(`unknown sandbox registrar ${id}`);
    return r;
  }

  /** Domains that use a contact as registrant, admin or tech. */
  domainsUsing(code: string): DomainRecord[] {
    return [...this.domains.values()].filter((d) => d.registrant === code || d.admin.includes(code) || d.tech.includes(code) || d.pending?.registrant === code);
  }

  /** Debits the registrar, or refuses with 2104 when the balance is short. */
  charge(registrarId: string, cents: number, description: string, now: Date): void {
    const r = this.registrar(registrarId);
    if (cents <= 0) return;
    if (r.balanceCents < cents) throw new CreditBalanceLow();
    r.balanceCents -= cents;
    r.transactions.push({ at: now, description, cents: -cents, balanceCents: r.balanceCents });
  }

  notify(registrarId: string, text: string, attached: { type: string; id: number } | null, now: Date): void {
    this.notifications.push({
      id: this.seq.notification++,
      registrar: registrarId,
      text,
      attachedObjType: attached?.type ?? null,
      attachedObjId: attached?.id ?? null,
      read: false,
      createdAt: now,
    });
  }

  nextId(kind: 'domain' | 'nameserver' | 'dnskey'): number {
    return this.seq[kind]++;
  }

  /** A contact code: the registrar's code, ":", and the custom id or 8 random hex digits, upper-cased. */
  contactCode(registrarId: string, custom?: string): string {
    const prefix = this.registrar(registrarId).code;
    if (custom !== undefined) return `${prefix}:${custom}`.toUpperCase();
    for (;;) {
      const code = `${prefix}:${randomBytes(4).toString('hex').toUpperCase()}`;
      if (!this.contacts.has(code)) return code;
    }
  }
}

/** A new transfer code (32 hex digits, as the registry generates them). */
export function newTransferCode(): string {
  return randomBytes(16).toString('hex');
}

/** Expiry of a registration that starts at `from` and lasts `months`: local midnight after its last day. */
export function expiryAfter(from: Date, months: number): Date {
  return midnightTallinn(addDays(addMonths(dateTallinn(from), months), 1));
}

/** Expiry moved on by `months` from the current one (renewal). */
export function extendExpiry(expiresAt: Date, months: number): Date {
  return midnightTallinn(addMonths(dateTallinn(expiresAt), months));
}
