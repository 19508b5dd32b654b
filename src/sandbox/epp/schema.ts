/**
 * Validation of every incoming EPP frame against the EPP schemas (epp-all.xsd: RFC 5730-5733,
 * secDNS-1.1, RGP, fee, launch...), as a registry does before any flow runs: Nomulus validates
 * each command with its XSDs and answers 2001 "Command syntax error" on a violation.
 *
 * libxml2 (compiled to WebAssembly, the libxml2-wasm package) compiles the schema set once per
 * process (~100 ms); a frame then costs about 0.3 ms to parse and validate. Instance documents
 * are parsed with network access and external entities disabled, and the only "files" libxml2
 * can open are the bundled XSDs (an in-memory input provider), so a frame cannot make the
 * sandbox read anything else.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ParseOption,
  XmlBufferInputProvider,
  XmlDocument,
  XmlParseError,
  XmlValidateError,
  XsdValidator,
  xmlRegisterInputProvider,
} from 'libxml2-wasm';

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
    const detail = e instanceof XmlParseError ? e.details[0]?.message : undefined;
    return { reason: shorten(`Not well-formed XML: ${detail ?? 'unreadable document'}`) };
  }
  try {
    schema.validate(doc);
    return undefined;
  } catch (e) {
    if (!(e instanceof XmlValidateError)) return { reason: 'The document could not be validated (it uses XML features EPP does not allow).' };
    const message = e.details[0]?.message ?? 'invalid';
    return { reason: shorten(message), element: offendingElement(message) };
  } finally {
    doc.dispose();
  }
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
