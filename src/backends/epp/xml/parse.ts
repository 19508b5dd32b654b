/**
 * XML text -> namespace-resolved element tree, with fast-xml-parser doing the parsing.
 * Prefixes are resolved through the in-scope xmlns declarations, so a server may use any
 * prefix or default namespaces.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { EppProtocolError, type XmlElement } from './tree.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ATTRS = ':@';
const TEXT = '#text';

/** One node of fast-xml-parser's preserveOrder output. */
export type OrderedNode = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  htmlEntities: true,
});

/** Parse well-formed XML into fast-xml-parser's ordered node list (throws EppProtocolError). */
export function parseOrdered(xml: string): OrderedNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new EppProtocolError(`not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  }
  return parser.parse(xml) as OrderedNode[];
}

/** The tag name of an ordered node (its one key besides ':@'). */
export function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ATTRS);
}

export function attrsOf(node: OrderedNode): Record<string, string> {
  return (node[ATTRS] as Record<string, string> | undefined) ?? {};
}

function split(qname: string): [string | undefined, string] {
  const i = qname.indexOf(':');
  return i < 0 ? [undefined, qname] : [qname.slice(0, i), qname.slice(i + 1)];
}

function resolve(node: OrderedNode, tag: string, scope: Map<string, string>): XmlElement {
  const rawAttrs = attrsOf(node);
  let inner = scope;
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) {
      if (inner === scope) inner = new Map(scope);
      inner.set(k === 'xmlns' ? '' : k.slice(6), String(v));
    }
  }
  const [prefix, local] = split(tag);
  const ns = inner.get(prefix ?? '');
  if (ns === undefined) throw new EppProtocolError(`undeclared namespace prefix "${prefix}" on <${tag}>`);

  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const [ap, al] = split(k);
    if (ap === undefined) {
      attrs[al] = String(v);
    } else {
      const uri = ap === 'xml' ? XML_NS : inner.get(ap);
      if (uri === undefined) throw new EppProtocolError(`undeclared namespace prefix "${ap}" on attribute ${k}`);
      attrs[`{${uri}}${al}`] = String(v);
    }
  }

  const el: XmlElement = { ns, name: local, attrs, children: [], text: '' };
  for (const c of (node[tag] as OrderedNode[] | undefined) ?? []) {
    const ctag = tagOf(c);
    if (ctag === undefined) continue;
    if (ctag === TEXT) el.text += String(c[TEXT]);
    else el.children.push(resolve(c, ctag, inner));
  }
  return el;
}

/** Parse an XML document into its namespace-resolved document element. */
export function parseXml(xml: string): XmlElement {
  const nodes = parseOrdered(xml);
  const roots = nodes.filter((n) => {
    const t = tagOf(n);
    return t !== undefined && t !== TEXT;
  });
  if (roots.length !== 1) throw new EppProtocolError(`expected one document element, found ${roots.length}`);
  const root = roots[0]!;
  return resolve(root, tagOf(root)!, new Map([['', ''], ['xml', XML_NS]]));
}
