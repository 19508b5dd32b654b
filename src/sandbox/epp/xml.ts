/**
 * XML helpers for the EPP sandbox: parse incoming frames into a namespace-resolved element tree,
 * and build outgoing documents from a small node tree.
 *
 * Parsing: most frames are read once, by libxml2 while it validates them (schema.ts,
 * readPlainFrame); the others go through parseXml here (fast-xml-parser), which defines the tree
 * both produce. Building: serialize() below writes the node tree with every text and attribute
 * value escaped (& < > ' " as entities), byte for byte what fast-xml-parser's builder wrote with
 * the options the sandbox used (preserveOrder, no formatting, empty elements self-closed), at a
 * fraction of its cost per answer; no value reaches the output unescaped.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';

/** Namespace URIs: EPP (RFC 5730), domain (5731), host (5732), contact (5733), secDNS-1.1 (5910), rgp-1.0 (3915). */
export const NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
} as const;

/** A parsed element: namespace URI, local name, unprefixed attributes, element children, text. */
export interface XmlEl {
  ns: string;
  name: string;
  attrs: Record<string, string>;
  children: XmlEl[];
  text: string;
}

/** Thrown by parseXml for a frame that is not well-formed (or has a DTD or unbound prefix); answered with 2001. */
export class XmlSyntaxError extends Error {}

type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
});

/** Parses one EPP document. Throws XmlSyntaxError when it is not well-formed or uses unbound prefixes. */
export function parseXml(xml: string): XmlEl {
  if (xml.includes('<!DOCTYPE') || xml.includes('<!ENTITY')) {
    throw new XmlSyntaxError('DTDs are not allowed in EPP');
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new XmlSyntaxError(valid.err.msg);
  const nodes = parser.parse(xml) as OrderedNode[];
  const roots = convert(nodes, new Map([['xml', 'http://www.w3.org/XML/1998/namespace']]));
  if (roots.length !== 1) throw new XmlSyntaxError('Expected exactly one root element');
  return roots[0]!;
}

function convert(nodes: OrderedNode[], scope: Map<string, string>): XmlEl[] {
  const out: XmlEl[] = [];
  for (const node of nodes) {
    const tag = Object.keys(node).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag.startsWith('?') || tag.startsWith('#')) continue;
    const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
    const local = new Map(scope);
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (k === 'xmlns') local.set('', String(v));
      else if (k.startsWith('xmlns:')) local.set(k.slice(6), String(v));
    }
    const attrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(rawAttrs)) {
      if (k === 'xmlns' || k.includes(':')) continue; // declarations and foreign (xsi:) attributes
      attrs[k] = String(v);
    }
    const colon = tag.indexOf(':');
    const prefix = colon >= 0 ? tag.slice(0, colon) : '';
    const name = colon >= 0 ? tag.slice(colon + 1) : tag;
    const ns = local.get(prefix);
    if (ns === undefined && prefix !== '') throw new XmlSyntaxError(`Unbound namespace prefix "${prefix}"`);
    const inner = (node[tag] ?? []) as OrderedNode[];
    const text = inner
      .filter((n) => Object.prototype.hasOwnProperty.call(n, '#text'))
      .map((n) => String(n['#text']))
      .join('');
    out.push({ ns: ns ?? '', name, attrs, children: convert(inner, local), text: text.trim() });
  }
  return out;
}

/** First child with this namespace and local name. */
export function child(el: XmlEl | undefined, ns: string, name: string): XmlEl | undefined {
  return el?.children.find((c) => c.ns === ns && c.name === name);
}

/** Every child with this namespace and local name, in document order ([] when `el` is undefined). */
export function children(el: XmlEl | undefined, ns: string, name: string): XmlEl[] {
  return el ? el.children.filter((c) => c.ns === ns && c.name === name) : [];
}

/** Text of the first matching child, or undefined when the child is absent. */
export function childText(el: XmlEl | undefined, ns: string, name: string): string | undefined {
  return child(el, ns, name)?.text;
}

// ---------------------------------------------------------------------------------------------
// Building

/** An outgoing element: qualified tag (prefix chosen by the builder code), attributes, content. */
export interface XNode {
  tag: string;
  attrs: Record<string, string>;
  children: XNode[];
  text?: string;
}

/** Content x() accepts: a node, text (string or number), or nothing (null, undefined, false are skipped). */
export type XChild = XNode | string | number | null | undefined | false;

/** Creates an element. String children become text content (escaped by the serialiser). */
export function x(tag: string, attrs: Record<string, string | undefined> | null, ...kids: (XChild | XChild[])[]): XNode {
  const node: XNode = { tag, attrs: {}, children: [] };
  if (attrs) {
    for (const k of Object.keys(attrs)) {
      const v = attrs[k];
      if (v !== undefined) node.attrs[k] = v;
    }
  }
  // One level of arrays is flattened, as kids.flat() would.
  for (const kid of kids) {
    if (Array.isArray(kid)) for (const k of kid) addKid(node, k);
    else addKid(node, kid);
  }
  return node;
}

function addKid(node: XNode, kid: XChild): void {
  if (kid === null || kid === undefined || kid === false) return;
  if (typeof kid === 'string' || typeof kid === 'number') node.text = (node.text ?? '') + String(kid);
  else node.children.push(kid);
}

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', "'": '&apos;', '"': '&quot;' };
const SPECIAL = /[&<>'"]/;
const SPECIALS = /[&<>'"]/g;

/** Text or attribute value with & < > ' " written as entities (all five, in both places). */
function escapeXml(value: string): string {
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ENTITY[c]!) : value;
}

/**
 * One element as XML: attributes in insertion order, then its text (before any child element),
 * then its children; an element with neither text nor children is self-closed (<tag/>).
 */
function serialize(node: XNode): string {
  let open = `<${node.tag}`;
  for (const k in node.attrs) open += ` ${k}="${escapeXml(node.attrs[k]!)}"`;
  let inner = node.text ? escapeXml(node.text) : '';
  for (const c of node.children) inner += serialize(c);
  return inner === '' ? `${open}/>` : `${open}>${inner}</${node.tag}>`;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

/** Serialises a complete document (with XML declaration). */
export function buildDocument(root: XNode): string {
  return DECLARATION + serialize(root);
}

/** Serialises one element without an XML declaration (for inspection helpers). */
export function buildFragment(node: XNode): string {
  return serialize(node);
}

/** xs:dateTime in UTC with milliseconds. */
export function isoDate(d: Date): string {
  return d.toISOString();
}
