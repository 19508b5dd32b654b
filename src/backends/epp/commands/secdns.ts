/** RFC 5910 secDNS-1.1: the create/update extensions the adapter writes and infData it reads. */
import { ValidationError } from '../../../core/errors.js';
import type { Dnssec, DsData, KeyData } from '../../../core/model/index.js';
import { el, leaf, type XNode } from '../xml/build.js';
import { NS, xmlnsAttr } from '../xml/namespaces.js';
import { child, childText, children, requiredText, toInt, type XmlElement } from '../xml/tree.js';

function keyDataEl(k: KeyData): XNode {
  return el(
    'secDNS:keyData',
    null,
    leaf('secDNS:flags', k.flags),
    leaf('secDNS:protocol', k.protocol),
    leaf('secDNS:alg', k.algorithm),
    leaf('secDNS:pubKey', k.publicKey.replace(/\s+/g, '')),
  );
}

function dsDataEl(d: DsData): XNode {
  return el(
    'secDNS:dsData',
    null,
    leaf('secDNS:keyTag', d.keyTag),
    leaf('secDNS:alg', d.algorithm),
    leaf('secDNS:digestType', d.digestType),
    leaf('secDNS:digest', d.digest.replace(/\s+/g, '').toUpperCase()),
    d.keyData ? keyDataEl(d.keyData) : null,
  );
}

/** dsData list or keyData list (the schema's choice: one interface per element). */
function dsOrKey(ds: DsData[], keys: KeyData[], field: string): XNode[] {
  if (ds.length > 0 && keys.length > 0) {
    throw new ValidationError(field, 'give either DS data or key data, not both (RFC 5910 interfaces)');
  }
  return ds.length > 0 ? ds.map(dsDataEl) : keys.map(keyDataEl);
}

/** Whether `d` gives any DS or key data (RFC 5910 section 4). */
export function hasDnssec(d: { dsData: DsData[]; keyData: KeyData[] } | null | undefined): boolean {
  return !!d && (d.dsData.length > 0 || d.keyData.length > 0);
}

/** `<secDNS:create>` for domain create, or null when there is nothing to send. */
export function secDnsCreate(d: { dsData: DsData[]; keyData: KeyData[]; maxSigLife?: number | null } | null | undefined): XNode | null {
  if (!d || !hasDnssec(d)) return null;
  return el(
    'secDNS:create',
    xmlnsAttr('secDNS'),
    d.maxSigLife ? leaf('secDNS:maxSigLife', d.maxSigLife) : null,
    dsOrKey(d.dsData, d.keyData, 'input.dnssec'),
  );
}

/**
 * The DNSSEC part of a domain update (RFC 5910 section 5.2.5): DS or key data to add/remove (one interface per list),
 * `removeAll` (`<secDNS:rem><secDNS:all>`), maxSigLife in seconds.
 */
export interface DnssecUpdate {
  addDsData: DsData[];
  removeDsData: DsData[];
  addKeyData: KeyData[];
  removeKeyData: KeyData[];
  removeAll?: boolean;
  maxSigLife?: number | null;
}

/** Whether `u` changes nothing (absent, all lists empty, no removeAll, no maxSigLife): secDnsUpdate then sends no extension. */
export function dnssecUpdateIsEmpty(u: DnssecUpdate | null | undefined): boolean {
  return (
    !u ||
    (u.addDsData.length === 0 &&
      u.removeDsData.length === 0 &&
      u.addKeyData.length === 0 &&
      u.removeKeyData.length === 0 &&
      !u.removeAll &&
      !u.maxSigLife)
  );
}

/** `<secDNS:update>` (rem, add, chg in schema order), or null when there is nothing to change. */
export function secDnsUpdate(u: DnssecUpdate | null | undefined): XNode | null {
  if (!u || dnssecUpdateIsEmpty(u)) return null;
  let rem: XNode | null = null;
  if (u.removeAll) {
    if (u.removeDsData.length > 0 || u.removeKeyData.length > 0) {
      throw new ValidationError('input.dnssec.removeAll', 'cannot be combined with removeDsData/removeKeyData');
    }
    rem = el('secDNS:rem', null, leaf('secDNS:all', 'true'));
  } else if (u.removeDsData.length > 0 || u.removeKeyData.length > 0) {
    rem = el('secDNS:rem', null, dsOrKey(u.removeDsData, u.removeKeyData, 'input.dnssec.remove'));
  }
  const add =
    u.addDsData.length > 0 || u.addKeyData.length > 0
      ? el('secDNS:add', null, dsOrKey(u.addDsData, u.addKeyData, 'input.dnssec.add'))
      : null;
  const chg = u.maxSigLife ? el('secDNS:chg', null, leaf('secDNS:maxSigLife', u.maxSigLife)) : null;
  return el('secDNS:update', xmlnsAttr('secDNS'), rem, add, chg);
}

function parseKeyData(k: XmlElement): KeyData {
  return {
    flags: toInt(requiredText(k, NS.secDNS, 'flags'), 'flags'),
    protocol: toInt(requiredText(k, NS.secDNS, 'protocol'), 'protocol'),
    algorithm: toInt(requiredText(k, NS.secDNS, 'alg'), 'alg'),
    publicKey: requiredText(k, NS.secDNS, 'pubKey'),
  };
}

/** `<secDNS:infData>` (dsData with optional keyData, or keyData alone) -> Dnssec. */
export function parseSecDnsInfo(inf: XmlElement | undefined): Dnssec {
  if (!inf) return { dsData: [], keyData: [], maxSigLife: null };
  const msl = childText(inf, NS.secDNS, 'maxSigLife');
  return {
    maxSigLife: msl ? toInt(msl, 'maxSigLife') : null,
    dsData: children(inf, NS.secDNS, 'dsData').map((d) => {
      const k = child(d, NS.secDNS, 'keyData');
      return {
        keyTag: toInt(requiredText(d, NS.secDNS, 'keyTag'), 'keyTag'),
        algorithm: toInt(requiredText(d, NS.secDNS, 'alg'), 'alg'),
        digestType: toInt(requiredText(d, NS.secDNS, 'digestType'), 'digestType'),
        digest: requiredText(d, NS.secDNS, 'digest'),
        keyData: k ? parseKeyData(k) : null,
      };
    }),
    keyData: children(inf, NS.secDNS, 'keyData').map(parseKeyData),
  };
}
