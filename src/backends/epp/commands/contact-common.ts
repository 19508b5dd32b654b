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

/** `<contact:voice|fax x="ext">` -> `+CC.NNNN` or `+CC.NNNNx<ext>` (RFC 5733 section 2.5); null when absent or empty. */
export function parsePhone(e: XmlElement | undefined): string | null {
  if (!e) return null;
  const n = textOf(e);
  const x = e.attrs['x']?.trim();
  if (!n && !x) return null;
  return x ? `${n}x${x}` : n;
}

/** An optional postal element: none for null, the empty element for "" (an update's "clear it", RFC 5733 section 3.2.5), else the value. */
function optional(tag: string, v: string | null | undefined): XNode | null {
  return v == null ? null : v === '' ? el(tag, null) : leaf(tag, v);
}

/** `<contact:postalInfo type="int|loc">`: name, optional org, addr (street*, city, sp?, pc?, cc) in RFC 5733 schema order (sections 2.3, 2.4); an org, sp or pc of "" is the empty element. */
export function postalInfoEl(p: PostalInfo): XNode {
  return el(
    'contact:postalInfo',
    { type: p.type },
    leaf('contact:name', p.name),
    optional('contact:org', p.org),
    el(
      'contact:addr',
      null,
      p.street.map((s) => leaf('contact:street', s)),
      leaf('contact:city', p.city),
      optional('contact:sp', p.sp),
      optional('contact:pc', p.pc),
      leaf('contact:cc', p.cc),
    ),
  );
}

/**
 * `<contact:postalInfo>` -> PostalInfo (type "loc" or else "int"; empty org/sp/pc as null, RFC 5733 sections 2.3-2.4).
 * Throws EppProtocolError (UPSTREAM_FAILURE) when addr, name, city or cc is missing.
 */
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

/** `<contact:disclose flag="0|1">` with one empty element per field (name/org/addr with type), in DISCLOSE_ORDER (RFC 5733 section 2.9). */
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

/** The `<contact:disclose>` child of `parent` -> Disclosure (flag "1"/"true" is true; fields as "name:int", "voice", ...), or null when absent (RFC 5733 section 2.9). */
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

/** Every `<contact:postalInfo>` child of `parent`, parsed (parsePostalInfo; throws as it does). */
export function postalInfosOf(parent: XmlElement): PostalInfo[] {
  return children(parent, NS.contact, 'postalInfo').map(parsePostalInfo);
}
