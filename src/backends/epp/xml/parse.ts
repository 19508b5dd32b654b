/**
 * XML text -> namespace-resolved element tree. Prefixes are resolved through the in-scope xmlns
 * declarations, so a server may use any prefix or default namespaces.
 *
 * Two parsers, one semantics. A registry's frame is read first by saxes, a strict (XML 1.0
 * well-formedness, Namespaces in XML) parser that checks and resolves in one pass: 3-5 times
 * faster than fast-xml-parser's validate + parse + a resolving walk on an EPP answer. The XML,
 * common HTML and currency named entities decode there as they do in fast-xml-parser with
 * `htmlEntities`. A document saxes does not read as it is (one with a DOCTYPE, whose entities
 * fast-xml-parser applies; an entity no table names, which fast-xml-parser leaves as text; or
 * anything not well-formed) goes through fast-xml-parser, as every document did before: it
 * answers, or throws the EppProtocolError. The ordered node list of fast-xml-parser
 * (`parseOrdered`) also serves the debug log's redaction (./redact.ts).
 */
import { COMMON_HTML, CURRENCY, ENTITY_ACTION, EntityDecoder, XML } from '@nodable/entities';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HTML as HTML_CONTEXT, XML as XML_CONTEXT, isUnsafe } from 'is-unsafe';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { EppProtocolError, type XmlElement } from './tree.js';

const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const ATTRS = ':@';
const TEXT = '#text';

/** One node of fast-xml-parser's preserveOrder output. */
export type OrderedNode = Record<string, unknown>;

/**
 * One entity decoder for every document, configured as fast-xml-parser 5.12 configures its own
 * with `htmlEntities: true` (XML, common HTML and currency named entities, numeric references,
 * its default expansion limits, DOCTYPE entities that could inject markup blocked). Left to
 * itself the parser builds that decoder, merging several hundred entity names, for every
 * document: about 85% of a small EPP answer's parse time (312 against 48 us per renew answer)
 * and most of its garbage. The parser resets the decoder at the start of each document (parsing
 * is synchronous, so documents never share it at once).
 */
const entityDecoder = new EntityDecoder({
  namedEntities: { ...XML, ...COMMON_HTML, ...CURRENCY },
  numericAllowed: true,
  limit: { maxTotalExpansions: Infinity, maxExpandedLength: 100_000, applyLimitsTo: 'all' },
  onInputEntity: (_name: string, value: string) => (isUnsafe(value, [HTML_CONTEXT, XML_CONTEXT]) ? ENTITY_ACTION.BLOCK : ENTITY_ACTION.ALLOW),
});

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
  entityDecoder,
});

/** Parse well-formed XML into fast-xml-parser's ordered node list (throws EppProtocolError). */
export function parseOrdered(xml: string): OrderedNode[] {
  const valid = XMLValidator.validate(xml);
  if (valid !== true) {
    throw new EppProtocolError(`not well-formed XML (${valid.err.msg}, line ${valid.err.line})`);
  }
  entityDecoder.setXmlVersion(1.0); // a document without a declaration is XML 1.0, whatever the previous one said
  return parser.parse(xml) as OrderedNode[];
}

/** The tag name of an ordered node (its one key besides ':@'). */
export function tagOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((k) => k !== ATTRS);
}

/** An ordered node's attributes by their qualified name ({} when it has none), as fast-xml-parser gives them (xmlns declarations included). */
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

/** The document element as fast-xml-parser reads it (throws EppProtocolError): for the documents saxes does not read, and for tests comparing the two. */
export function parseXmlWithFastXmlParser(xml: string): XmlElement {
  const nodes = parseOrdered(xml);
  const roots = nodes.filter((n) => {
    const t = tagOf(n);
    return t !== undefined && t !== TEXT;
  });
  if (roots.length !== 1) throw new EppProtocolError(`expected one document element, found ${roots.length}`);
  const root = roots[0]!;
  return resolve(root, tagOf(root)!, new Map([['', ''], ['xml', XML_NS]]));
}

/** The attribute names that declare namespaces (xmlns, xmlns:p): not attributes of the element. */
function declaresNamespace(a: { prefix: string; name: string }): boolean {
  return a.prefix === 'xmlns' || a.name === 'xmlns';
}

/** Named entities saxes decodes besides XML's five: the tables fast-xml-parser uses with `htmlEntities`. */
const NAMED_ENTITIES: Record<string, string> = { ...COMMON_HTML, ...CURRENCY, ...XML };

/** saxes did not read the document as fast-xml-parser would: fast-xml-parser reads it. */
class NotForSaxes extends Error {}

function elementOf(tag: SaxesTagNS): XmlElement {
  const attrs: Record<string, string> = {};
  for (const name in tag.attributes) {
    const a = tag.attributes[name]!;
    if (declaresNamespace(a)) continue;
    // Unprefixed attributes are in no namespace (Namespaces in XML, section 6.2): by local name.
    attrs[a.prefix === '' ? a.local : `{${a.uri}}${a.local}`] = a.value;
  }
  return { ns: tag.uri, name: tag.local, attrs, children: [], text: '' };
}

/**
 * Parse an XML document into its namespace-resolved document element. Throws EppProtocolError
 * when the text is not well-formed XML or uses a namespace prefix it does not declare.
 */
export function parseXml(xml: string): XmlElement {
  try {
    return parseWithSaxes(xml);
  } catch (e) {
    if (e instanceof EppProtocolError) throw e;
    return parseXmlWithFastXmlParser(xml);
  }
}

/** The document element of saxes's reading; throws NotForSaxes (or saxes's error) for a document fast-xml-parser must read. */
function parseWithSaxes(xml: string): XmlElement {
  const parser = new SaxesParser({
    xmlns: true,
    // Called only for a prefix no xmlns declaration in scope binds ("xml" and "xmlns" are built in).
    resolvePrefix: (prefix: string): string | undefined => {
      throw new EppProtocolError(`undeclared namespace prefix "${prefix}"`);
    },
  });
  Object.assign(parser.ENTITIES, NAMED_ENTITIES);
  parser.on('doctype', () => {
    throw new NotForSaxes('a DOCTYPE');
  });
  const open: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('opentag', (tag) => {
    const el = elementOf(tag);
    const parent = open[open.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    open.push(el);
  });
  // Also emitted for a self-closing tag, right after its opentag.
  parser.on('closetag', () => open.pop());
  // Direct text and CDATA of the element they are in (outside the document element, only whitespace is well-formed).
  const text = (t: string) => {
    const current = open[open.length - 1];
    if (current) current.text += t;
  };
  parser.on('text', text);
  parser.on('cdata', text);
  parser.write(xml).close();
  if (!root) throw new NotForSaxes('no document element');
  return root;
}
