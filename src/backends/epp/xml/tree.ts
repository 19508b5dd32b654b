/**
 * A namespace-resolved XML element tree: what the parser hands to the command parsers.
 * Elements are matched by (namespace URI, local name), never by the prefix a server chose.
 */
import { UpstreamFailureError } from '../../../core/errors.js';
import { parseUpstreamDate, UpstreamDateError } from '../../../core/time.js';

/** One element of a parsed frame (parse.ts parseXml), matched by namespace URI and local name, never by prefix. */
export interface XmlElement {
  /** Namespace URI ('' when the element is in no namespace). */
  ns: string;
  /** Local name (without prefix). */
  name: string;
  /** Attributes without a prefix by local name; prefixed ones as `{uri}local`. */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Direct text content (text and CDATA children joined, untrimmed). */
  text: string;
}

/** The upstream sent something that is not the EPP we expect; `detail` says what, without the "malformed EPP frame" prefix. */
export class EppProtocolError extends UpstreamFailureError {
  readonly detail: string;
  constructor(message: string, backend?: string) {
    super(`malformed EPP frame: ${message}`, { backend, retryable: false });
    this.detail = message;
  }
}

/** The first child of `el` in namespace `ns` with local name `name`, or undefined (also when `el` is undefined). */
export function child(el: XmlElement | undefined, ns: string, name: string): XmlElement | undefined {
  return el?.children.find((c) => c.ns === ns && c.name === name);
}

/** Every child of `el` in namespace `ns` with local name `name`, in document order ([] when `el` is undefined). */
export function children(el: XmlElement | undefined, ns: string, name: string): XmlElement[] {
  return el ? el.children.filter((c) => c.ns === ns && c.name === name) : [];
}

/** The child that must be there. */
export function required(el: XmlElement, ns: string, name: string): XmlElement {
  const c = child(el, ns, name);
  if (!c) throw new EppProtocolError(`<${el.name}> has no <${name}>`);
  return c;
}

/** Trimmed direct text of an element. */
export function textOf(el: XmlElement | undefined): string {
  return el ? el.text.trim() : '';
}

/** Trimmed text of a child, or undefined when the child is absent. */
export function childText(el: XmlElement | undefined, ns: string, name: string): string | undefined {
  const c = child(el, ns, name);
  return c ? textOf(c) : undefined;
}

/** The trimmed text of the required child `ns`:`name`; EppProtocolError (UPSTREAM_FAILURE) when it is absent. */
export function requiredText(el: XmlElement, ns: string, name: string): string {
  return textOf(required(el, ns, name));
}

/** An xsd:dateTime (or xsd:date) as a Date (no zone = UTC: core/time parseUpstreamDate); throws on garbage or nothing. */
export function toDate(value: string, what = 'date'): Date {
  let d: Date | null;
  try {
    d = parseUpstreamDate(value, what);
  } catch (e) {
    if (e instanceof UpstreamDateError) throw new EppProtocolError(`bad ${what} "${value.trim().slice(0, 40)}"`);
    throw e;
  }
  if (!d) throw new EppProtocolError(`empty ${what}`);
  return d;
}

/** The child's date, or null when the child is absent or empty. */
export function childDate(el: XmlElement | undefined, ns: string, name: string): Date | null {
  const t = childText(el, ns, name);
  return t ? toDate(t, name) : null;
}

/** The required child's xsd:dateTime/date as a Date (no zone = UTC); EppProtocolError (UPSTREAM_FAILURE) when absent, empty or malformed. */
export function requiredDate(el: XmlElement, ns: string, name: string): Date {
  return toDate(requiredText(el, ns, name), name);
}

/** An xsd:boolean ("1"/"true"/"0"/"false"). */
export function toBool(value: string | undefined, what = 'boolean'): boolean {
  const v = (value ?? '').trim();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  throw new EppProtocolError(`bad ${what} "${value ?? ''}"`);
}

/** A trimmed decimal integer; EppProtocolError (UPSTREAM_FAILURE) naming `what` when empty or not an integer. */
export function toInt(value: string | undefined, what = 'integer'): number {
  const v = (value ?? '').trim();
  const n = Number(v);
  if (v === '' || !Number.isInteger(n)) throw new EppProtocolError(`bad ${what} "${value ?? ''}"`);
  return n;
}

/** Text of the element and every descendant, whitespace collapsed. */
export function deepText(el: XmlElement): string {
  const parts: string[] = [];
  const walk = (e: XmlElement): void => {
    parts.push(e.text);
    e.children.forEach(walk);
  };
  walk(el);
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}
