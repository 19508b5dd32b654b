/**
 * Validation of every incoming EPP frame against the EPP schemas (epp-all.xsd: RFC 5730-5733,
 * secDNS-1.1, RGP, fee, launch...), as a registry does before any flow runs: Nomulus validates
 * each command with its XSDs and answers 2001 "Command syntax error" on a violation.
 *
 * libxml2 (compiled to WebAssembly, the libxml2-wasm package) compiles the schema set once per
 * process (~100 ms); a small frame then costs about 16 µs to parse and validate, and the parse
 * also gives the command's element tree for most frames (readPlainFrame). Instance documents
 * are parsed with network access and external entities disabled, and the only "files" libxml2
 * can open are the bundled XSDs (an in-memory input provider), so a frame cannot make the
 * sandbox read anything else.
 */
import { isAscii } from 'node:buffer';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XmlElement,
  XmlParseError,
  XmlText,
  XmlValidateError,
  XsdValidator,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';
import type { XmlEl } from './xml.js';

/** What was wrong with a frame: a short reason, and the element it concerns when libxml2 names one. */
export interface SchemaViolation {
  /** One line, at most REASON_MAX characters, values the client sent left out. */
  reason: string;
  /** The offending element (namespace URI, local name), for the result's <extValue><value>. */
  element?: { ns: string; name: string };
}

const REASON_MAX = 200;
const MAIN = 'epp-all.xsd';
const PARSE_OPTIONS = ParseOption.XML_PARSE_NONET | ParseOption.XML_PARSE_NO_XXE | ParseOption.XML_PARSE_NOWARNING;

/**
 * The bundled schemas: src/sandbox/epp/xsd next to this module, or found walking up from it
 * (the compiled module in dist/ or a test build finds the repository's copy).
 */
export function findXsdDir(from = path.dirname(fileURLToPath(import.meta.url))): string {
  if (existsSync(path.join(from, 'xsd', MAIN))) return path.join(from, 'xsd');
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'src', 'sandbox', 'epp', 'xsd');
    if (existsSync(path.join(candidate, MAIN))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`src/sandbox/epp/xsd/${MAIN} not found above ${from}`);
  }
}

let validator: XsdValidator | undefined;

/** The compiled schema set, built on first use and kept for the life of the process. */
function compiled(): XsdValidator {
  if (!validator) {
    const dir = findXsdDir();
    const files: Record<string, Uint8Array> = {};
    for (const f of readdirSync(dir)) if (f.endsWith('.xsd')) files[f] = readFileSync(path.join(dir, f));
    xmlRegisterInputProvider(new XmlBufferInputProvider(files));
    const doc = XmlDocument.fromBuffer(files[MAIN]!, { url: MAIN, option: PARSE_OPTIONS });
    try {
      validator = XsdValidator.fromDoc(doc);
    } finally {
      doc.dispose();
    }
  }
  return validator;
}

/** Compiles the schemas now (a sandbox does it at start, so the first command is not slower). */
export function loadSchema(): void {
  compiled();
}

/**
 * Checks one frame: undefined when it is well-formed XML valid against epp-all.xsd, otherwise
 * the first problem libxml2 reports. Never throws for bad input.
 */
export function schemaViolation(xml: string): SchemaViolation | undefined {
  const schema = compiled();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromString(xml, { option: PARSE_OPTIONS });
  } catch (e) {
    return unreadable(e);
  }
  try {
    return invalidity(schema, doc);
  } finally {
    doc.dispose();
  }
}

/** The violation for a document libxml2 could not parse. */
function unreadable(e: unknown): SchemaViolation {
  const detail = e instanceof XmlParseError ? e.details[0]?.message : undefined;
  return { reason: shorten(`Not well-formed XML: ${detail ?? 'unreadable document'}`) };
}

/** undefined when the parsed document is valid against the schema set, else its first problem. */
function invalidity(schema: XsdValidator, doc: XmlDocument): SchemaViolation | undefined {
  try {
    schema.validate(doc);
    return undefined;
  } catch (e) {
    if (!(e instanceof XmlValidateError)) return { reason: 'The document could not be validated (it uses XML features EPP does not allow).' };
    const message = e.details[0]?.message ?? 'invalid';
    return { reason: shorten(message), element: offendingElement(message) };
  }
}

/**
 * A plain frame read by libxml2 alone: either its element tree (the frame is valid) or why it
 * is not valid. See readPlainFrame.
 */
export type PlainFrame = { root: XmlEl; violation?: undefined } | { root?: undefined; violation: SchemaViolation };

const XML_DECLARATION = /^<\?xml[ \t\n]/;

/**
 * Validates a frame (its raw bytes) and, when valid, returns the element tree parseXml in xml.ts
 * would return for it, from the same libxml2 parse: one parse per command instead of two.
 *
 * Only for "plain" frames, where the two parsers agree: ASCII only, no CR, no character
 * references (&#...;), no CDATA, comments, DOCTYPE or processing instructions (an XML declaration
 * at the start excepted), and no attribute whose value has whitespace inside it. Libxml2 and
 * fast-xml-parser then see the same elements, namespaces, attributes and text (the five named
 * entities decoded by both, text runs between child elements trimmed and joined, attribute values
 * trimmed), and a frame libxml2 finds well-formed is one fast-xml-parser reads; outside it they
 * can differ (CR/LF and tab normalisation, character references, which fast-xml-parser leaves
 * undecoded, names outside ASCII...). test/sandbox/epp/plain-frame.test.ts compares the two on
 * every shared fixture and on edge cases. Returns undefined for a frame outside
 * that subset, or when the tree shows something the subset excludes; the caller then takes the
 * general path (parseXml, then schemaViolation). A violation returned here is the one
 * schemaViolation returns for the same text (the same bytes reach libxml2 with the same options);
 * the caller must still let parseXml's own error come first, as on the general path.
 */
export function readPlainFrame(frame: Buffer): PlainFrame | undefined {
  if (frame.length === 0 || !isAscii(frame)) return undefined;
  if (frame.includes('<!') || frame.includes('&#') || frame.includes(13)) return undefined;
  if (frame.indexOf('<?', 1) !== -1) return undefined;
  if (frame[0] === 0x3c && frame[1] === 0x3f && !XML_DECLARATION.test(frame.toString('latin1', 0, 6))) return undefined;
  const schema = compiled();
  let doc: XmlDocument;
  try {
    doc = XmlDocument.fromBuffer(frame, { option: PARSE_OPTIONS });
  } catch (e) {
    return { violation: unreadable(e) };
  }
  try {
    const violation = invalidity(schema, doc);
    if (violation) return { violation };
    const root = plainElement(doc.root);
    return root ? { root } : undefined;
  } finally {
    doc.dispose();
  }
}

/**
 * The element as parseXml builds it: namespace URI and local name; unprefixed attributes (trimmed);
 * element children; the text children, each run between two child elements trimmed, joined and
 * trimmed. undefined when the element or a descendant holds anything but elements and text, or an
 * attribute value with whitespace inside (libxml2 turns tabs and newlines in attribute values into
 * spaces, fast-xml-parser keeps them, and the two can no longer be told apart).
 */
function plainElement(el: XmlElement): XmlEl | undefined {
  const attrs: Record<string, string> = {};
  for (const a of el.attrs) {
    if (a.prefix !== '') continue; // xsi:schemaLocation and the like, left out as parseXml does
    const value = a.value.trim();
    if (/\s/.test(value)) return undefined;
    attrs[a.name] = value;
  }
  const children: XmlEl[] = [];
  let text = '';
  let run = '';
  for (let node = el.firstChild; node; node = node.next) {
    if (node instanceof XmlText) {
      run += node.content;
      continue;
    }
    if (!(node instanceof XmlElement)) return undefined;
    text += run.trim();
    run = '';
    const kid = plainElement(node);
    if (!kid) return undefined;
    children.push(kid);
  }
  text += run.trim();
  return { ns: el.namespaceUri, name: el.name, attrs, children, text: text.trim() };
}

/** libxml2's messages start with "Element '{ns}local'" (or "Element 'local'") for the element concerned. */
function offendingElement(message: string): SchemaViolation['element'] {
  const m = /^Element '(?:\{([^}]*)\})?([A-Za-z_][\w.-]*)'/.exec(message);
  return m ? { ns: m[1] ?? '', name: m[2]! } : undefined;
}

/** "{urn:ietf:params:xml:ns:domain-1.0}name" -> "domain:name"; quoted values of the client's dropped; one line, bounded. */
function shorten(message: string): string {
  const text = message
    .replace(/\{urn:ietf:params:xml:ns:([\w.-]+?)(?:-[\d.]+)?\}/g, '$1:')
    .replace(/The value '[^']*'/g, 'The value')
    .replace(/'[^']*' is not a valid value/g, 'The value is not a valid value')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > REASON_MAX ? `${text.slice(0, REASON_MAX - 1)}…` : text;
}
