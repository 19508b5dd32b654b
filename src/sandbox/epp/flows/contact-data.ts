/** Reading and writing contact data elements (RFC 5733 postalInfo, phones, disclose). */
import type { ContactRecord, DiscloseRecord, PhoneRecord, PostalInfoRecord } from '../records.js';
import { EppError } from '../result.js';
import { NS, child, childText, children, isoDate, x, type XNode, type XmlEl } from '../xml.js';

const C = NS.contact;

function required(el: XmlEl | undefined, name: string): string {
  const v = childText(el, C, name);
  if (v === undefined || v === '') throw new EppError(2003, `Required element ${name} is missing`);
  return v;
}

function optional(el: XmlEl | undefined, name: string): string | undefined {
  const v = childText(el, C, name);
  return v === undefined || v === '' ? undefined : v;
}

function postalType(el: XmlEl): 'int' | 'loc' {
  const t = el.attrs.type;
  if (t !== 'int' && t !== 'loc') throw new EppError(2005, 'postalInfo type must be int or loc.');
  return t;
}

function checkAscii(p: PostalInfoRecord): void {
  const all = [p.name, p.org, ...p.street, p.city, p.sp, p.pc, p.cc].filter((v): v is string => v !== undefined).join('');
  // eslint-disable-next-line no-control-regex
  if (p.type === 'int' && !/^[\x00-\x7f]*$/.test(all)) {
    throw new EppError(2005, 'Internationalized postal infos can only contain ASCII characters.');
  }
}

function checkCc(cc: string): void {
  if (!/^[A-Za-z]{2}$/.test(cc)) throw new EppError(2005, 'Country code must be two letters.');
}

/** A complete postalInfo (create). */
export function readPostalInfo(el: XmlEl): PostalInfoRecord {
  const addr = child(el, C, 'addr');
  if (!addr) throw new EppError(2003, 'Required element addr is missing');
  const p: PostalInfoRecord = {
    type: postalType(el),
    name: required(el, 'name'),
    org: optional(el, 'org'),
    street: children(addr, C, 'street').map((s) => s.text).filter((s) => s !== ''),
    city: required(addr, 'city'),
    sp: optional(addr, 'sp'),
    pc: optional(addr, 'pc'),
    cc: required(addr, 'cc').toUpperCase(),
  };
  checkCc(p.cc);
  checkAscii(p);
  return p;
}

/** A chg postalInfo merged into the existing one of that type; empty elements clear optional fields. */
export function mergePostalInfo(el: XmlEl, existing: PostalInfoRecord | undefined): PostalInfoRecord {
  const type = postalType(el);
  if (!existing) return readPostalInfo(el);
  const p: PostalInfoRecord = { ...existing, street: [...existing.street], type };
  const name = child(el, C, 'name');
  if (name) p.name = name.text || p.name;
  const org = child(el, C, 'org');
  if (org) p.org = org.text || undefined;
  const addr = child(el, C, 'addr');
  if (addr) {
    p.street = children(addr, C, 'street').map((s) => s.text).filter((s) => s !== '');
    p.city = required(addr, 'city');
    p.sp = optional(addr, 'sp');
    p.pc = optional(addr, 'pc');
    p.cc = required(addr, 'cc').toUpperCase();
    checkCc(p.cc);
  }
  checkAscii(p);
  return p;
}

/** voice/fax; an empty element means "remove" (returns null), absent returns undefined. */
export function readPhone(el: XmlEl | undefined, name: 'voice' | 'fax'): PhoneRecord | null | undefined {
  const p = child(el, C, name);
  if (!p) return undefined;
  if (p.text === '') return null;
  if (!/^\+[0-9]{1,3}\.[0-9]{1,14}$/.test(p.text)) throw new EppError(2005, `Invalid ${name} number.`);
  return { number: p.text, ext: p.attrs.x };
}

const DISCLOSE_ORDER = ['name', 'org', 'addr', 'voice', 'fax', 'email'] as const;

/**
 * Reads contact:disclose (RFC 5733 section 2.9): undefined when absent; flag 0/false (declining
 * disclosure) is refused with 2306 as Nomulus does; keeps the named elements and their int/loc type.
 */
export function readDisclose(el: XmlEl | undefined): DiscloseRecord | undefined {
  const d = child(el, C, 'disclose');
  if (!d) return undefined;
  const flag = d.attrs.flag === '1' || d.attrs.flag === 'true';
  if (!flag) throw new EppError(2306, 'Declining contact disclosure is disallowed by server policy.');
  const items: DiscloseRecord['items'] = [];
  for (const c of d.children) {
    const name = DISCLOSE_ORDER.find((n) => n === c.name);
    if (c.ns !== C || !name) continue;
    const type = c.attrs.type === 'int' || c.attrs.type === 'loc' ? c.attrs.type : undefined;
    items.push({ name, type });
  }
  return { flag, items };
}

function phoneNode(name: string, p: PhoneRecord | undefined): XNode | undefined {
  return p ? x(`contact:${name}`, { x: p.ext }, p.number) : undefined;
}

/** A contact's statuses as info shows them (RFC 5733 section 2.2): stored ones, pendingTransfer, `ok` when none, then `linked` if a domain uses it. */
export function contactStatuses(c: ContactRecord, linked: boolean): string[] {
  const s = [...c.statuses];
  if (c.transfer?.status === 'pending') s.push('pendingTransfer');
  if (s.length === 0) s.push('ok');
  if (linked) s.push('linked');
  return s;
}

/** contact:infData; authInfo only for the sponsor or a caller that supplied it. */
export function contactInfData(c: ContactRecord, linked: boolean, withAuth: boolean): XNode {
  const p = 'contact:';
  return x(
    `${p}infData`,
    { 'xmlns:contact': C },
    x(`${p}id`, null, c.id),
    x(`${p}roid`, null, c.roid),
    contactStatuses(c, linked).map((s) => x(`${p}status`, { s })),
    c.postalInfo.map((pi) =>
      x(
        `${p}postalInfo`,
        { type: pi.type },
        x(`${p}name`, null, pi.name),
        pi.org !== undefined && x(`${p}org`, null, pi.org),
        x(
          `${p}addr`,
          null,
          pi.street.map((s) => x(`${p}street`, null, s)),
          x(`${p}city`, null, pi.city),
          pi.sp !== undefined && x(`${p}sp`, null, pi.sp),
          pi.pc !== undefined && x(`${p}pc`, null, pi.pc),
          x(`${p}cc`, null, pi.cc),
        ),
      ),
    ),
    phoneNode('voice', c.voice),
    phoneNode('fax', c.fax),
    x(`${p}email`, null, c.email),
    x(`${p}clID`, null, c.sponsor),
    x(`${p}crID`, null, c.crID),
    x(`${p}crDate`, null, isoDate(c.crDate)),
    c.upID !== undefined && x(`${p}upID`, null, c.upID),
    c.upDate !== undefined && x(`${p}upDate`, null, isoDate(c.upDate)),
    c.trDate !== undefined && x(`${p}trDate`, null, isoDate(c.trDate)),
    withAuth && x(`${p}authInfo`, null, x(`${p}pw`, null, c.authInfo)),
    c.disclose &&
      x(
        `${p}disclose`,
        { flag: c.disclose.flag ? '1' : '0' },
        DISCLOSE_ORDER.flatMap((n) => c.disclose!.items.filter((i) => i.name === n).map((i) => x(`${p}${n}`, { type: i.type }))),
      ),
  );
}
