/**
 * The sandbox's channels, keys and registrations: what it starts with, and the predictable OT&E
 * fixtures POST /sandbox/reset re-creates for the calling channel (the document's "Reset
 * predictable OT&E fixtures without overwriting real domains"): a known available name, a renewal
 * fixture, an update fixture, a transfer fixture (held by a counterparty channel, so the caller can
 * record transfer intent on it), a name-server fixture and a delete fixture. Nothing else is touched.
 */
import { randomBytes } from 'node:crypto';
import type { Channel, Registration, Store } from './store.js';

/**
 * `d` plus whole calendar years, in UTC: 29 February becomes 28 February in a common year, as
 * registries count a registration year (not 365 days, which drifts a day across every 29 February).
 * The sandbox's own arithmetic, deliberately not the gateway's (src/core/time.ts): a shared rule
 * would agree with itself in every test however wrong it were.
 */
export function addYears(d: Date, years: number): Date {
  const r = new Date(d.getTime());
  r.setUTCFullYear(r.getUTCFullYear() + years);
  if (r.getUTCDate() !== d.getUTCDate()) r.setUTCDate(0); // 29 Feb + 1 year: the last day of February
  return r;
}

/** A sandbox registrar: gateway registrar id, its channel, and its partner API key's token. */
export interface SandboxRegistrar {
  registrarId: string;
  channelId: string;
  token: string;
}

/** The channel that holds each channel's transfer fixture (not a registrar of the gateway). */
export const COUNTERPARTY_CHANNEL = 'chn_ote_counterparty';

/** A registrar id as used in channel ids and fixture names: lower-cased, only a-z and 0-9 kept ("NewRegistrar" -> "newregistrar"). */
export function slug(registrarId: string): string {
  return registrarId.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** The fixture names of a channel under `tld`. */
export function fixtureNames(registrarId: string, tld: string) {
  const s = slug(registrarId);
  const n = (what: string) => `ote-${s}-${what}.${tld}`;
  return { available: n('available'), renewal: n('renew'), update: n('update'), transfer: n('transfer'), nameservers: n('nameservers'), delete: n('delete') };
}

/** A fresh active registration of `domain` for the channel: `years` (default 1) from `now`, a random auth code unless given, placeholder registrant. */
export function newRegistration(p: { domain: string; channelId: string; now: Date; years?: number; authCode?: string; fixtureOf?: string | null; nameservers?: string[] }): Registration {
  const [label, ...rest] = p.domain.split('.');
  const ns = p.nameservers ?? [];
  return {
    domain: p.domain,
    label,
    tld: rest.join('.'),
    channelId: p.channelId,
    registrant: { name: 'OT&E Registrant', email: 'registrant@example.net', organization: null },
    authCode: p.authCode ?? randomBytes(9).toString('base64url'),
    state: 'active',
    clientHold: false,
    transferLock: false,
    createdAt: p.now,
    updatedAt: p.now,
    expiresAt: addYears(p.now, p.years ?? 1),
    cancelledAt: null,
    desiredNameservers: [...ns],
    appliedNameservers: [...ns],
    transfer: null,
    fixtureOf: p.fixtureOf ?? null,
  };
}

/** Channels, keys and seed registrations: one channel per registrar, plus the counterparty. */
export function seed(store: Store, registrarIds: readonly string[], tlds: readonly string[], now: Date): SandboxRegistrar[] {
  const out: SandboxRegistrar[] = [];
  const add = (c: Channel) => store.channels.set(c.id, c);
  add({ id: COUNTERPARTY_CHANNEL, registrarId: 'OteCounterparty', name: 'OT&E counterparty', approved: true, namespaces: [...tlds], productionApproved: false });
  for (const registrarId of registrarIds) {
    const channelId = `chn_${slug(registrarId)}`;
    add({ id: channelId, registrarId, name: `${registrarId} registrar channel`, approved: true, namespaces: [...tlds], productionApproved: false });
    const token = `hdk_${randomBytes(24).toString('base64url')}`;
    store.keys.set(token, { token, profile: 'registrar_api', channelId, scopes: ['registrar:read', 'registrar:write', 'sandbox:reset'] });
    out.push({ registrarId, channelId, token });
  }
  seedRegistrations(store, out, tlds[0], now);
  return out;
}

/** One ordinary registration per registrar (`<slug>-seed.<tld>`, auth code `Seed-<slug>-1`) and a protected legacy record. */
export function seedRegistrations(store: Store, registrars: readonly SandboxRegistrar[], tld: string, now: Date): void {
  for (const r of registrars) {
    const s = slug(r.registrarId);
    const domain = `${s}-seed.${tld}`;
    store.registrations.set(domain, newRegistration({ domain, channelId: r.channelId, now, authCode: `Seed-${s}-1`, nameservers: ['ns1.example.net', 'ns2.example.net'] }));
  }
  const legacy = newRegistration({ domain: `legacy-nb.${tld}`, channelId: COUNTERPARTY_CHANNEL, now });
  store.registrations.set(legacy.domain, { ...legacy, state: 'protected_recovery' });
}

/** Re-creates the OT&E fixtures of one channel; answers their names and the transfer fixture's auth code. */
export function resetFixtures(store: Store, channel: Channel, tld: string, now: Date) {
  const names = fixtureNames(channel.registrarId, tld);
  for (const name of Object.values(names)) store.registrations.delete(name);
  for (let i = store.pending.length - 1; i >= 0; i--) if (Object.values(names).includes(store.pending[i].domain)) store.pending.splice(i, 1);
  const own = (domain: string, nameservers: string[] = ['ns1.example.net']) =>
    store.registrations.set(domain, newRegistration({ domain, channelId: channel.id, now, fixtureOf: channel.id, nameservers }));
  own(names.renewal);
  own(names.update);
  own(names.nameservers, ['ns1.example.net', 'ns2.example.net']);
  own(names.delete);
  const transfer = newRegistration({ domain: names.transfer, channelId: COUNTERPARTY_CHANNEL, now, fixtureOf: channel.id });
  store.registrations.set(transfer.domain, transfer);
  return { ...names, transferAuthCode: transfer.authCode };
}
