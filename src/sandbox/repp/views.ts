/** The JSON shapes of the REPP document's response examples, built from the sandbox's records. */
import type { ContactRecord, DomainRecord, NotificationRecord, RegistrarRecord, TransactionRecord } from './records.js';
import type { Store } from './store.js';
import { isoTallinn } from './time.js';

/** Money as the registry prints a decimal: "420.0", "-6.0", "6.5", "6.05". */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  const frac = String(abs % 100).padStart(2, '0').replace(/0$/, '');
  return `${sign}${Math.floor(abs / 100)}.${frac === '' ? '0' : frac}`;
}

/** A transaction as "Get account balance" shows it: created_at (Tallinn ISO), description, debit/credit type, sum and balance as decimals. */
export function transactionView(t: TransactionRecord) {
  return { created_at: isoTallinn(t.at), description: t.description, type: t.cents < 0 ? 'debit' : 'credit', sum: money(t.cents), balance: money(t.balanceCents) };
}

/** Domain statuses as the document shows them: a map of status to note ("inactive" without name servers, "ok" when nothing else). */
export function domainStatuses(d: DomainRecord): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of d.statuses) out[s] = '';
  if (d.nameservers.length === 0) out.inactive = '';
  if (Object.keys(out).length === 0) out.ok = '';
  return out;
}

/** A contact's statuses as a map of status to note: ok always, linked when a domain uses it, then stored ones. */
export function contactStatuses(store: Store, c: ContactRecord): Record<string, string> {
  const out: Record<string, string> = { ok: '' };
  if (store.domainsUsing(c.code).length > 0) out.linked = '';
  for (const [s, note] of c.statuses) out[s] = note;
  return out;
}

const registrarView = (r: RegistrarRecord) => ({ name: r.name, website: r.website });

/** The full domain object of "Get a specific domain" and of the details=true list; transfer_code only for the sponsor. */
export function domainView(store: Store, d: DomainRecord, viewer: string) {
  const contact = (code: string, type: string) => ({ code, type, name: store.contacts.get(code)?.name ?? null });
  const registrant = store.contacts.get(d.registrant);
  return {
    name: d.name,
    registrant: { name: registrant?.name ?? null, code: d.registrant },
    created_at: isoTallinn(d.createdAt),
    updated_at: isoTallinn(d.updatedAt),
    expire_time: isoTallinn(d.expiresAt),
    outzone_at: null,
    delete_date: null,
    force_delete_date: null,
    contacts: [...d.admin.map((c) => contact(c, 'AdminDomainContact')), ...d.tech.map((c) => contact(c, 'TechDomainContact'))],
    nameservers: d.nameservers.map((n) => ({ id: n.id, hostname: n.hostname, ipv4: [...n.ipv4], ipv6: [...n.ipv6] })),
    dnssec_keys: d.dnskeys.map((k) => ({ id: k.id, flags: k.flags, protocol: k.protocol, alg: k.alg, public_key: k.publicKey })),
    statuses: domainStatuses(d),
    registrar: registrarView(store.registrar(d.registrar)),
    dispute: false,
    ...(d.registrar === viewer ? { transfer_code: d.transferCode } : {}),
  };
}

/** "Get a specific contact" (full) or its simple form. */
export function contactView(store: Store, c: ContactRecord, simple: boolean) {
  if (simple) return { code: c.code, name: c.name };
  const domains = store.domainsUsing(c.code).map((d) => ({
    name: d.name,
    registrar: { name: store.registrar(d.registrar).name },
    valid_to: isoTallinn(d.expiresAt),
    roles: [d.registrant === c.code && 'registrant', d.admin.includes(c.code) && 'admin', d.tech.includes(c.code) && 'tech'].filter(Boolean),
  }));
  return {
    code: c.code,
    name: c.name,
    ident: { code: c.ident.code, type: c.ident.type, country_code: c.ident.countryCode },
    email: c.email,
    phone: c.phone,
    auth_info: c.authInfo,
    statuses: contactStatuses(store, c),
    disclosed_attributes: [],
    registrar: registrarView(store.registrar(c.registrar)),
    domains,
    domains_count: domains.length,
  };
}

/** A contact inside "Get transfer info" (flat ident fields, statuses as a list, address fields null). */
export function transferContactView(store: Store, code: string) {
  const c = store.contacts.get(code);
  if (!c) return null;
  return {
    code: c.code,
    phone: c.phone,
    email: c.email,
    ident: c.ident.code,
    ident_type: c.ident.type,
    name: c.name,
    ident_country_code: c.ident.countryCode,
    city: null,
    street: null,
    zip: null,
    country_code: null,
    statuses: Object.keys(contactStatuses(store, c)),
  };
}

/** A poll message as the document shows it: id, text, attached_obj_type, attached_obj_id. */
export function notificationView(n: NotificationRecord) {
  return { id: n.id, text: n.text, attached_obj_type: n.attachedObjType, attached_obj_id: n.attachedObjId };
}
