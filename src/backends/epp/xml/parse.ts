/**
 * XML text -> namespace-resolved element tree.
 *
 * Frames from a registry are read by saxes, a strict (XML 1.0 well-formedness and Namespaces in
 * XML) streaming parser, in one pass: it rejects what is not well-formed (mismatched or unclosed
 * tags, a second document element, undefined entities, characters XML cannot carry) and resolves
 * every element and attribute name through the in-scope xmlns declarations, so a server may use
 * any prefix or default namespaces. The ordered node list of fast-xml-parser (`parseOrdered`) is
 * kept for the debug log's redaction (./redact.ts), which writes the frame back out.
 */
import { COMMON_HTML, CURRENCY, ENTITY_ACTION, EntityDecoder, XML } from '@nodable/entities';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { HTML as HTML_CONTEXT, XML as XML_CONTEXT, isUnsafe } from 'is-unsafe';
import { SaxesParser, type SaxesTagNS } from 'saxes';
import { EppProtocolError, type XmlElement } from './tree.js';

const ATTRS = ':@';

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

export function attrsOf(node: OrderedNode): Record<string, string> {
  return (node[ATTRS] as Record<string, string> | undefined) ?? {};
}

/** The attribute names that declare namespaces (xmlns, xmlns:p): not attributes of the element. */
function declaresNamespace(a: { prefix: string; name: string }): boolean {
  return a.prefix === 'xmlns' || a.name === 'xmlns';
}

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
  const parser = new SaxesParser({
    xmlns: true,
    // Called only for a prefix no xmlns declaration in scope binds ("xml" and "xmlns" are built in).
    resolvePrefix: (prefix: string): string | undefined => {
      throw new EppProtocolError(`undeclared namespace prefix "${prefix}"`);
    },
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
  try {
    parser.write(xml).close();
  } catch (e) {
    if (e instanceof EppProtocolError) throw e;
    throw new EppProtocolError(`not well-formed XML (${(e as Error).message})`);
  }
  if (!root) throw new EppProtocolError('expected one document element, found 0');
  return root;
}
