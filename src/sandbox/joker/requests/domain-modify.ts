/**
 * domain-modify (DMAPI document): contact handles, the name-server list and the DNSSEC keys.
 * "ns-list" replaces the whole set; "dnssec=1" with ds-1..ds-6 replaces every key, "dnssec=0"
 * removes them; what is not given is not touched.
 */
import { BadValue, MissingField, PolicyRefusal } from '../refusal.js';
import { fqdn, ownDomain, type Handler } from './common.js';
import { contactParams, nsList, requireObjects, setContacts } from './domain-rules.js';

/** "tag:alg:digest-type:digest", the document's DS format for com/net/org/tv/cc. */
const DS = /^(\d{1,5}):(\d{1,3}):(\d{1,3}):([0-9A-Fa-f]{16,128})$/;
/** "protocol:alg:flags:pubkey-base64", the document's format for de (the DNSKEY's own data, RFC 4034 section 2). */
const KEY = /^(\d{1,3}):(\d{1,3}):(\d{1,5}):([A-Za-z0-9+/]{16,}={0,2})$/;

/** One ds-N value in the form the domain's TLD takes (document, "domain-modify"), normalised; BadValue otherwise. */
function dnssecEntry(field: string, v: string, tld: string): string {
  if (tld === 'de') {
    const k = KEY.exec(v);
    if (!k || Number(k[1]) > 255 || Number(k[2]) > 255 || Number(k[3]) > 65535) throw new BadValue(field, v, 'not protocol:alg:flags:pubkey-base64 (the form for de)');
    return `${k[1]}:${k[2]}:${k[3]}:${k[4]}`;
  }
  const m = DS.exec(v);
  if (!m || Number(m[1]) > 65535) throw new BadValue(field, v, 'not tag:alg:digest-type:digest');
  return `${m[1]}:${m[2]}:${m[3]}:${m[4].toUpperCase()}`;
}

/**
 * domain-modify: admin-c/tech-c/billing-c, ns-list (replaces the set) and dnssec (1 with ds-1..ds-6 replaces the keys, 0 removes them;
 * each entry tag:alg:digest-type:digest, or protocol:alg:flags:pubkey-base64 under de);
 * 2003 when nothing is given, 2306 for owner-c (domain-owner-change) or ds-N out of order, 2303 unregistered handles, 2005 bad DS.
 */
export const domainModify: Handler = (c) => {
  const name = fqdn('domain', c.p.req('domain'));
  ownDomain(c, name);
  const contacts = contactParams(c, []);
  const ns = nsList(c);
  const dnssec = c.p.get('dnssec');
  let ds: string[] | undefined;
  if (dnssec !== undefined) {
    if (dnssec === '0') ds = [];
    else if (dnssec === '1') {
      ds = [];
      const tld = c.store.tldOf(name) ?? '';
      for (let i = 1; i <= 6 && c.p.get(`ds-${i}`) !== undefined; i++) ds.push(dnssecEntry(`ds-${i}`, c.p.get(`ds-${i}`)!, tld));
      if (ds.length === 0) throw new MissingField('ds-1 (dnssec=1)');
      for (let i = ds.length + 2; i <= 6; i++) if (c.p.get(`ds-${i}`) !== undefined) throw new PolicyRefusal(`ds-${i}`, 'ds-N must be given in order (ds-1, ds-2, ...)');
    } else throw new BadValue('dnssec', dnssec, '0 or 1');
  }
  if (ns === undefined && ds === undefined && Object.values(contacts).every((v) => v === undefined)) throw new MissingField('a contact handle, ns-list or dnssec');
  if (contacts['owner-c'] !== undefined) throw new PolicyRefusal('owner-c', 'the owner is changed by domain-owner-change');
  requireObjects(c, contacts, ns);
  return {
    job: {
      type: 'domain-modify',
      object: name,
      kind: 'domain',
      apply: (now) => {
        const d = ownDomain(c, name);
        requireObjects(c, contacts, ns);
        setContacts(d, contacts);
        if (ns) d.ns = ns;
        if (ds) d.ds = ds;
        d.modified = now;
        return [];
      },
    },
  };
};
