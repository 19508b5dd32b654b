/**
 * The Joker sandbox's seed: plain values. The resellers are the other sandboxes' two registrars
 * (NewRegistrar, TheRegistrar), each with an API key and a web login (DMAPI "login": api-key, or
 * username and password). Names are under the sandbox's test TLDs (RFC 2606 ".test"), which no
 * real registration can have.
 */
export interface SeedReseller {
  uid: string;
  registrarId: string;
  apiKey: string;
  username: string;
  password: string;
  balanceCents: number;
}

/** The two resellers (UIDs 100001 NewRegistrar, 100002 TheRegistrar), each with an API key, a web login and EUR 1000.00. */
export const JOKER_SEED_RESELLERS: readonly SeedReseller[] = [
  { uid: '100001', registrarId: 'NewRegistrar', apiKey: 'jk-sandbox-NewRegistrar-7f3a', username: 'newregistrar', password: 'New-pass-1', balanceCents: 100_000 },
  { uid: '100002', registrarId: 'TheRegistrar', apiKey: 'jk-sandbox-TheRegistrar-9c2e', username: 'theregistrar', password: 'The-pass-2', balanceCents: 100_000 },
];

/** Seed contacts, hosts and domains by the UID of their reseller; `tld` is replaced by the first served TLD. */
export const JOKER_SEED = {
  contacts: [
    { handle: 'CJOK-1', reseller: '100001', fields: { name: 'Nora New', email: 'nora@new-registrar.test', 'address-1': '1 Test Street', city: 'Testville', 'postal-code': '10001', country: 'EE', phone: '+372.5550001' } },
    { handle: 'CJOK-2', reseller: '100002', fields: { name: 'Theo The', email: 'theo@the-registrar.test', 'address-1': '2 Test Street', city: 'Testville', 'postal-code': '10002', country: 'DE', phone: '+49.5550002' } },
  ],
  hosts: [
    { host: 'ns1.sandbox-dns.test', reseller: '100001', ip: '192.0.2.53', ipv6: null },
    { host: 'ns2.sandbox-dns.test', reseller: '100001', ip: '198.51.100.53', ipv6: '2001:db8::53' },
    { host: 'ns1.rival-dns.test', reseller: '100002', ip: '203.0.113.53', ipv6: null },
  ],
  /** label, reseller, contact, name servers, transfer Auth-ID. */
  domains: [
    { label: 'alpha', reseller: '100001', contact: 'CJOK-1', ns: ['ns1.sandbox-dns.test', 'ns2.sandbox-dns.test'], authId: 'Alpha-Auth-1' },
    { label: 'rival', reseller: '100002', contact: 'CJOK-2', ns: ['ns1.rival-dns.test'], authId: 'Rival-Auth-2' },
    { label: 'spare', reseller: '100002', contact: 'CJOK-2', ns: ['ns1.rival-dns.test'], authId: 'Spare-Auth-3' },
  ],
} as const;
