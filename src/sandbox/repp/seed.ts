/**
 * The REPP sandbox's seed: plain values, no logic. The registrars are the EPP sandboxes' two
 * (NewRegistrar, TheRegistrar). Object names and secrets are the REPP document's own where it has
 * them, so its curl examples run against the seed as printed: the user `test` / `test123` of its
 * `Authorization: Basic dGVzdDp0ZXN0MTIz` is NewRegistrar's (registry code ATSAA, as in
 * "ATSAA:KARL"); TheRegistrar's code is 1111111 ("1111111:65B7EB55"); 666.ee, kotlet.ee,
 * domain1.ee and domain2.ee carry the transfer codes the transfer examples send; the balance and
 * its two transactions, and notifications 1398 and 1399, are the document's.
 *
 * Times are relative to the clock at reset() (`createdDaysAgo: 400`), except the document's
 * historic transactions and notifications, which keep their dates.
 */
import type { IdentType, Role } from './records.js';

/** A seed registrar: gateway id, registry code (contact code prefix), API users, opening balance and transactions in cents. */
export interface SeedRegistrar {
  id: string;
  code: string;
  name: string;
  website: string;
  users: { username: string; password: string; roles: Role[] }[];
  /** Balance before the first transaction, in cents. */
  openingCents: number;
  /** Oldest first; amounts in cents. */
  transactions: { at: string; description: string; cents: number }[];
}

/** The two sandbox registrars with their API users (the first user of each is the gateway's). */
export const REPP_SEED_REGISTRARS: readonly SeedRegistrar[] = [
  {
    id: 'NewRegistrar',
    code: 'ATSAA',
    name: 'New Registrar OÜ',
    website: 'https://new-registrar.example.ee',
    users: [
      { username: 'test', password: 'test123', roles: ['super'] },
      { username: 'test-billing', password: 'billing123', roles: ['billing'] },
    ],
    openingCents: 32600,
    transactions: [
      { at: '2021-02-11T11:32:49.158+02:00', description: 'Invoice no. 131096', cents: 10000 },
      { at: '2021-02-26T17:12:46.045+02:00', description: 'Create abadiitas.ee', cents: -600 },
    ],
  },
  {
    id: 'TheRegistrar',
    code: '1111111',
    name: 'The Registrar AS',
    website: 'https://the-registrar.example.ee',
    users: [{ username: 'theregistrar', password: 'password2', roles: ['super'] }],
    openingCents: 0,
    transactions: [{ at: '2021-01-04T10:00:00.000+02:00', description: 'Invoice no. 131001', cents: 100000 }],
  },
];

/** A seed contact keyed by code; createdDaysAgo in days before reset(). */
export interface SeedContact {
  code: string;
  registrar: string;
  name: string;
  email: string;
  phone: string;
  ident: { code: string; type: IdentType; countryCode: string };
  authInfo: string;
  createdDaysAgo: number;
}

const MARY = 'Mary Änn O’Connež-Šuslik';
const priv = (code: string) => ({ code, type: 'priv' as const, countryCode: 'EE' });

/** NewRegistrar's ATSAA:* contacts (KARL, LIZ, ACME...) and TheRegistrar's three 1111111:* contacts of one person. */
export const REPP_SEED_CONTACTS: readonly SeedContact[] = [
  { code: 'ATSAA:KARL', registrar: 'NewRegistrar', name: 'KARL', email: 'karl@example.ee', phone: '+372.5551234', ident: priv('38903110313'), authInfo: 'ed33c67bedb32b1567b131', createdDaysAgo: 900 },
  { code: 'ATSAA:LIZ', registrar: 'NewRegistrar', name: 'LIZ', email: 'liz@example.ee', phone: '+372.5551235', ident: priv('49002124277'), authInfo: 'a1b2c3d4e5f60718293a4b', createdDaysAgo: 800 },
  { code: 'ATSAA:84F23FD1', registrar: 'NewRegistrar', name: 'John Doe', email: 'john@doe.com', phone: '+372.5551236', ident: priv('38001085718'), authInfo: '6f1d2c3b4a59687766554d', createdDaysAgo: 300 },
  { code: 'ATSAA:B839862D', registrar: 'NewRegistrar', name: 'Tech Person', email: 'tech@example.ee', phone: '+372.5551237', ident: priv('37605030299'), authInfo: '0a9b8c7d6e5f4a3b2c1d0e', createdDaysAgo: 200 },
  { code: 'ATSAA:ACME', registrar: 'NewRegistrar', name: 'Acme OÜ', email: 'info@acme.example.ee', phone: '+372.6000000', ident: { code: '12345678', type: 'org', countryCode: 'EE' }, authInfo: 'c0ffee00c0ffee00c0ffee', createdDaysAgo: 700 },
  { code: '1111111:65B7EB55', registrar: 'TheRegistrar', name: MARY, email: 'mary@example.ee', phone: '+372.5559876', ident: priv('48706180244'), authInfo: '9a8b7c6d5e4f3a2b1c0d9e', createdDaysAgo: 600 },
  { code: '1111111:8E3736F2', registrar: 'TheRegistrar', name: MARY, email: 'mary.tech@example.ee', phone: '+372.5559877', ident: priv('48706180244'), authInfo: '1f2e3d4c5b6a79880796a5', createdDaysAgo: 600 },
  { code: '1111111:0FEEDC3C', registrar: 'TheRegistrar', name: MARY, email: 'mary.reg@example.ee', phone: '+372.5559878', ident: priv('48706180244'), authInfo: '5e4d3c2b1a0f9e8d7c6b5a', createdDaysAgo: 600 },
];

/** A seed domain with the document's id, contacts, nameservers, keys and statuses; its transfer code as given. */
export interface SeedDomain {
  id: number;
  name: string;
  registrar: string;
  registrant: string;
  admin: string[];
  tech: string[];
  nameservers: { hostname: string; ipv4?: string[]; ipv6?: string[] }[];
  dnskeys?: { flags: number; protocol: number; alg: number; publicKey: string }[];
  statuses?: string[];
  transferCode: string;
  /** Registered this many days before the clock at reset(), for the fewest whole years that end in the future. */
  createdDaysAgo: number;
}

const KARL = { registrant: 'ATSAA:KARL', admin: ['ATSAA:KARL'], tech: ['ATSAA:KARL'] };
const MARYS = { registrant: '1111111:0FEEDC3C', admin: ['1111111:65B7EB55'], tech: ['1111111:8E3736F2'] };
const AMS = [{ hostname: 'ns1.ams1.domainer.ee' }, { hostname: 'ns2.domainer.ee' }];
const KREATIVE = [{ hostname: 'ns1.kreative.ee' }, { hostname: 'ns2.kreative.ee' }];
const own = (id: number, name: string, days: number, rest: Partial<SeedDomain> = {}): SeedDomain => ({
  id,
  name,
  registrar: 'NewRegistrar',
  ...KARL,
  nameservers: [],
  transferCode: name.replace(/[^a-z0-9]/g, '').padEnd(32, '0'),
  createdDaysAgo: days,
  ...rest,
});
const theirs = (id: number, name: string, days: number, rest: Partial<SeedDomain> = {}): SeedDomain => own(id, name, days, { registrar: 'TheRegistrar', ...MARYS, ...rest });

/** NewRegistrar's kass.ee ... mari.pri.ee (ids 33-42) and TheRegistrar's 666.ee ... lukus.ee (50-55, lukus.ee server-locked). */
export const REPP_SEED_DOMAINS: readonly SeedDomain[] = [
  own(33, 'kass.ee', 700),
  own(34, 'koer.ee', 690),
  own(35, 'biz.ee', 600, { registrant: 'ATSAA:ACME', admin: ['ATSAA:KARL'], tech: ['ATSAA:LIZ'] }),
  own(36, 'domeener.ee', 500, {
    nameservers: [
      { hostname: 'ns1.domeener.ee', ipv4: ['192.168.1.1'], ipv6: ['fe80::aede:48ff:fe00:1122'] },
      { hostname: 'ns2.domeener.ee', ipv4: ['192.168.1.2'], ipv6: ['fe80::aede:48ff:fe00:1123'] },
    ],
  }),
  own(37, 'domainer.ee', 450, {
    nameservers: [
      { hostname: 'ns1.domainer.ee', ipv4: ['192.0.2.53'] },
      { hostname: 'ns2.domainer.ee', ipv4: ['192.0.2.54'] },
    ],
  }),
  own(38, 'only.ee', 400, { nameservers: AMS }),
  own(39, 'these.ee', 400, { nameservers: AMS }),
  own(40, 'domains.ee', 400, { nameservers: AMS }),
  own(41, 'kanakotlet.ee', 300, { nameservers: KREATIVE }),
  own(42, 'mari.pri.ee', 250, { nameservers: KREATIVE }),
  theirs(50, '666.ee', 800, {
    transferCode: 'd79d865fdf589a1cd52ae95fde4e5d30',
    nameservers: KREATIVE,
    dnskeys: [{ flags: 257, protocol: 3, alg: 13, publicKey: 'oJMRESz5E4gYzS/q6XDrvU1qMPYIjCWzJaOau8XNEZeqCYKD5ar0IRd8KqXXFJkqmVfRvMGPmM1x8fGAa2XhSA==' }],
  }),
  theirs(51, 'kotlet.ee', 650, {
    transferCode: '6699fb661ee3a2006a3d1e5833d7c5abv',
    nameservers: [...KREATIVE, { hostname: 'ns3.domainer.ee' }],
  }),
  theirs(52, 'domain1.ee', 500, { transferCode: 'a45e543ddabee202f95eebae5a7c917c', nameservers: KREATIVE }),
  theirs(53, 'domain2.ee', 500, { transferCode: 'cce67ca63adc8c2938f199f10108881e', nameservers: KREATIVE }),
  theirs(54, 'firma.com.ee', 350, { nameservers: KREATIVE }),
  theirs(55, 'lukus.ee', 1000, {
    transferCode: 'f00dfeedf00dfeedf00dfeedf00dfeed',
    nameservers: KREATIVE,
    statuses: ['serverDeleteProhibited', 'serverTransferProhibited', 'serverUpdateProhibited'],
  }),
];

/** Names only their reservation password registers (the create payload's reserved_pw). */
export const REPP_RESERVED_NAMES: readonly { name: string; password: string }[] = [{ name: 'reserveeritud.ee', password: 'reserved-pw-1' }];

/** A seed poll message with its fixed id and ISO time. */
export interface SeedNotification {
  id: number;
  registrar: string;
  text: string;
  attachedObjType: string | null;
  attachedObjId: number | null;
  at: string;
}

/** The document's notifications 1398 and 1399 for NewRegistrar. */
export const REPP_SEED_NOTIFICATIONS: readonly SeedNotification[] = [
  { id: 1398, registrar: 'NewRegistrar', text: 'Contact ATSAA:57C8A9CB has been updated by registrant', attachedObjType: null, attachedObjId: null, at: '2021-03-01T09:00:00.000+02:00' },
  { id: 1399, registrar: 'NewRegistrar', text: 'Registrant rejected domain update: koer.ee', attachedObjType: 'Epp::Domain', attachedObjId: 34, at: '2021-03-02T09:00:00.000+02:00' },
];

/** Prices in cents (the document's "Create abadiitas.ee" transaction: 6.0 EUR for a year). */
export const PRICES = { perYearCents: 600, perMonthCents: 50 } as const;
