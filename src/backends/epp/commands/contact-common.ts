/** Contact pieces shared by the contact commands (RFC 5733): postal info and E.164 numbers. */
import type { Disclosure, DisclosureField, PostalInfo } from '../../../core/model/index.js';
import { el, leaf, type XNode } from '../xml/build.js';
import { NS } from '../xml/namespaces.js';
import { child, childText, children, required, requiredText, textOf, type XmlElement } from '../xml/tree.js';

/**
 * A phone number in the neutral model is `+CC.NNNN` with an optional `x<ext>` suffix
 * (EPP carries the extension in the `x` attribute).
 */
export function phoneEl(tag: 'contact:voice' | 'contact:fax', value: string): XNode {
  const i = value.indexOf('x');
  const number = (i < 0 ? value : value.slice(0, i)).trim();
  const ext = i < 0 ? undefined : value.slice(i + 1).trim() || undefined;
  return number === '' && !ext ? el(tag, null) : leaf(tag, number, { x: ext });
}

export function parsePhone(e: XmlElement | undefined): string | null {
  if (!e) return null;
  const n = textOf(e);
  const x = e.attrs['x']?.trim();
  if (!n && !x) return null;
  return x ? `${n}x${x}` : n;
}

export function postalInfoEl(p: PostalInfo): XNode {
  return el(
    'contact:postalInfo',
    { type: p.type },
    leaf('contact:name', p.name),
    p.org ? leaf('contact:org', p.org) : null,
    el(
      'contact:addr',
      null,
      p.street.map((s) => leaf('contact:street', s)),
      leaf('contact:city', p.city),
      p.sp ? leaf('contact:sp', p.sp) : null,
      p.pc ? leaf('contact:pc', p.pc) : null,
      leaf('contact:cc', p.cc),
    ),
  );
}

export function parsePostalInfo(p: XmlElement): PostalInfo {
  const c = NS.contact;
  const addr = required(p, c, 'addr');
  const type = p.attrs['type'] === 'loc' ? 'loc' : 'int';
  return {
    type,
    name: requiredText(p, c, 'name'),
    org: childText(p, c, 'org') || null,
    street: children(addr, c, 'street').map(textOf),
    city: requiredText(addr, c, 'city'),
    sp: childText(addr, c, 'sp') || null,
    pc: childText(addr, c, 'pc') || null,
    cc: requiredText(addr, c, 'cc'),
  };
}

/** The elements of <contact:disclose>, in the order RFC 5733's schema requires. */
const DISCLOSE_ORDER: DisclosureField[] = ['name:int', 'name:loc', 'org:int', 'org:loc', 'addr:int', 'addr:loc', 'voice', 'fax', 'email'];

export function discloseEl(d: Disclosure): XNode {
  const fields = DISCLOSE_ORDER.filter((f) => d.fields.includes(f));
  return el(
    'contact:disclose',
    { flag: d.flag ? '1' : '0' },
    fields.map((f) => {
      const [name, type] = f.split(':');
      return el(`contact:${name}`, type ? { type } : null);
    }),
  );
}

export function parseDisclose(parent: XmlElement): Disclosure | null {
  const d = child(parent, NS.contact, 'disclose');
  if (!d) return null;
  const fields: DisclosureField[] = [];
  for (const name of ['name', 'org', 'addr'] as const) {
    for (const e of children(d, NS.contact, name)) fields.push(`${name}:${e.attrs['type'] === 'loc' ? 'loc' : 'int'}`);
  }
  for (const name of ['voice', 'fax', 'email'] as const) if (child(d, NS.contact, name)) fields.push(name);
  const flag = d.attrs['flag'];
  return { flag: flag === '1' || flag === 'true', fields };
}

export function postalInfosOf(parent: XmlElement): PostalInfo[] {
  return children(parent, NS.contact, 'postalInfo').map(parsePostalInfo);
}
