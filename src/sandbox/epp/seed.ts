/**
 * The sandbox's seed data: plain values, no logic. `{tld}` in a name stands for the sandbox's first
 * TLD ("tld" in the nomulus profile, "example" in the contacts profile). Times are relative to the
 * clock at reset(): `createdDaysAgo: 400` means 400 days before now.
 *
 * Names and secrets follow the Nomulus flow fixtures where they can, so the fixtures in
 * /work/shared/epp/fixtures run against the seed: example.{tld} is sponsored by TheRegistrar with
 * authInfo "fooBAR" (domain_transfer_request.xml asks for it as NewRegistrar), its subordinate hosts
 * are ns1/ns2.example.{tld}, and ns1/ns2.example.net (domain_create.xml) and ns1/ns2.example.foo
 * (domain_update.xml) exist.
 */

/** A registrar account: its EPP clID and password (RFC 5730 section 2.9.1.1 login). */
export interface SeedRegistrar {
  clientId: string;
  password: string;
}

/** Nomulus' test registrars and their passwords (login_valid.xml logs in as NewRegistrar). */
export const SANDBOX_REGISTRARS: readonly SeedRegistrar[] = [
  { clientId: 'NewRegistrar', password: 'foo-BAR2' },
  { clientId: 'TheRegistrar', password: 'password2' },
];

/** A seed contact (contacts profile only): one int postalInfo, voice "+CC.NUMBER", createdDaysAgo in days before reset(). */
export interface SeedContact {
  id: string;
  sponsor: string;
  authInfo: string;
  name: string;
  org?: string;
  street: string[];
  city: string;
  sp?: string;
  pc?: string;
  cc: string;
  voice?: string;
  email: string;
  createdDaysAgo: number;
}

/** A seed domain; createdDaysAgo, expiresInDays and deletedDaysAgo are days relative to the clock at reset(). */
export interface SeedDomain {
  /** Second-level label; the domain is `${label}.${tld}`. */
  label: string;
  sponsor: string;
  creator: string;
  authInfo: string;
  /** Host object names ({tld} substituted). */
  nameservers: string[];
  statuses: string[];
  createdDaysAgo: number;
  expiresInDays: number;
  /** Contacts profile only (the nomulus profile has no contacts). */
  registrant: string;
  contacts: { type: 'admin' | 'tech' | 'billing'; id: string }[];
  /** Set for a domain that was deleted this many days ago (it is in its redemption period). */
  deletedDaysAgo?: number;
}

/** A seed host ({tld} substituted); addresses as IPv4/IPv6 text (v6 when it has a colon); createdDaysAgo in days. */
export interface SeedHost {
  name: string;
  /** Sponsor of an external host (a subordinate host's sponsor is its domain's). */
  sponsor: string;
  addresses: string[];
  statuses: string[];
  createdDaysAgo: number;
}

/** jd1234 (NewRegistrar, authInfo jd1234PW) and sah8013 (TheRegistrar, sah8013PW), as in the Nomulus contact fixtures. */
export const SEED_CONTACTS: readonly SeedContact[] = [
  {
    id: 'jd1234',
    sponsor: 'NewRegistrar',
    authInfo: 'jd1234PW',
    name: 'John Doe',
    org: 'Example Inc.',
    street: ['123 Example Dr.', 'Suite 100'],
    city: 'Dulles',
    sp: 'VA',
    pc: '20166-6503',
    cc: 'US',
    voice: '+1.7035555555',
    email: 'jdoe@example.com',
    createdDaysAgo: 500,
  },
  {
    id: 'sah8013',
    sponsor: 'TheRegistrar',
    authInfo: 'sah8013PW',
    name: 'Sally Hacker',
    street: ['1 Main St.'],
    city: 'Springfield',
    cc: 'US',
    email: 'sally@example.net',
    createdDaysAgo: 500,
  },
];

const OWNED_BY_THE = { registrant: 'sah8013', contacts: [{ type: 'admin', id: 'sah8013' }, { type: 'tech', id: 'sah8013' }] } as const;
const OWNED_BY_NEW = { registrant: 'jd1234', contacts: [{ type: 'admin', id: 'jd1234' }, { type: 'tech', id: 'jd1234' }] } as const;

/** example, fakesite, test, locked (client*Prohibited, serverRenewProhibited) and redeem (deleted 3 days ago, in redemption) under the first TLD. */
export const SEED_DOMAINS: readonly SeedDomain[] = [
  {
    label: 'example',
    sponsor: 'TheRegistrar',
    creator: 'TheRegistrar',
    authInfo: 'fooBAR',
    nameservers: ['ns1.example.{tld}', 'ns1.example.net', 'ns1.example.foo'],
    statuses: [],
    createdDaysAgo: 400,
    expiresInDays: 330,
    ...OWNED_BY_THE,
    contacts: [...OWNED_BY_THE.contacts],
  },
  {
    label: 'fakesite',
    sponsor: 'NewRegistrar',
    creator: 'NewRegistrar',
    authInfo: '2fooBAR',
    nameservers: ['ns1.example.net', 'ns2.example.net'],
    statuses: [],
    createdDaysAgo: 200,
    expiresInDays: 165,
    ...OWNED_BY_NEW,
    contacts: [...OWNED_BY_NEW.contacts],
  },
  {
    label: 'test',
    sponsor: 'NewRegistrar',
    creator: 'NewRegistrar',
    authInfo: 'testPW1',
    nameservers: [],
    statuses: [],
    createdDaysAgo: 100,
    expiresInDays: 265,
    ...OWNED_BY_NEW,
    contacts: [...OWNED_BY_NEW.contacts],
  },
  {
    label: 'locked',
    sponsor: 'TheRegistrar',
    creator: 'TheRegistrar',
    authInfo: 'lockedPW1',
    nameservers: ['ns1.example.net'],
    statuses: ['clientDeleteProhibited', 'clientTransferProhibited', 'clientUpdateProhibited', 'serverRenewProhibited'],
    createdDaysAgo: 700,
    expiresInDays: 30,
    ...OWNED_BY_THE,
    contacts: [...OWNED_BY_THE.contacts],
  },
  {
    label: 'redeem',
    sponsor: 'TheRegistrar',
    creator: 'TheRegistrar',
    authInfo: 'redeemPW1',
    nameservers: [],
    statuses: [],
    createdDaysAgo: 300,
    expiresInDays: 60,
    deletedDaysAgo: 3,
    ...OWNED_BY_THE,
    contacts: [...OWNED_BY_THE.contacts],
  },
];

/** External ns1/ns2.example.net (TheRegistrar) and ns1/ns2.example.foo (NewRegistrar); subordinate ns1/ns2.example.{tld} with addresses. */
export const SEED_HOSTS: readonly SeedHost[] = [
  { name: 'ns1.example.net', sponsor: 'TheRegistrar', addresses: [], statuses: [], createdDaysAgo: 800 },
  { name: 'ns2.example.net', sponsor: 'TheRegistrar', addresses: [], statuses: [], createdDaysAgo: 800 },
  { name: 'ns1.example.foo', sponsor: 'NewRegistrar', addresses: [], statuses: [], createdDaysAgo: 800 },
  { name: 'ns2.example.foo', sponsor: 'NewRegistrar', addresses: [], statuses: [], createdDaysAgo: 800 },
  {
    name: 'ns1.example.{tld}',
    sponsor: 'TheRegistrar',
    addresses: ['192.0.2.2', '1080:0:0:0:8:800:200C:417A'],
    statuses: [],
    createdDaysAgo: 399,
  },
  { name: 'ns2.example.{tld}', sponsor: 'TheRegistrar', addresses: ['192.0.2.29'], statuses: [], createdDaysAgo: 399 },
];
