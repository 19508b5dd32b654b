/**
 * A tiny element model for the commands the adapter writes, serialised by fast-xml-parser's
 * XMLBuilder (which escapes every text and attribute value). Values never touch the markup.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { ValidationError } from '../../../core/errors.js';

export interface XNode {
  /** Qualified name as written (prefix chosen by the adapter, e.g. "domain:name"). */
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text?: string;
}

type Child = XNode | string | number | null | undefined | false | Child[];

const ATTR_PREFIX = '@_';

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: ATTR_PREFIX,
  suppressEmptyNode: true,
  processEntities: true,
  format: false,
});

// Characters XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, lone surrogates, FFFE/FFFF).
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkValue(value: string, where: string): string {
  if (NOT_XML_CHAR.test(value)) throw new ValidationError(where, 'contains a character XML cannot carry');
  return value;
}

/**
 * Build an element. Attributes with undefined/null values are left out; children may be nested
 * arrays, strings/numbers (text) or falsy (skipped).
 */
export function el(
  name: string,
  attrs?: Record<string, string | number | boolean | null | undefined> | null,
  ...content: Child[]
): XNode {
  const a: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v !== undefined && v !== null) a[k] = checkValue(String(v), `${name}@${k}`);
  }
  const node: XNode = { name, attrs: a, children: [] };
  const add = (c: Child): void => {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) c.forEach(add);
    else if (typeof c === 'string' || typeof c === 'number') {
      node.text = (node.text ?? '') + checkValue(String(c), name);
    } else node.children.push(c);
  };
  content.forEach(add);
  if (node.text !== undefined && node.children.length > 0) {
    throw new Error(`element ${name} mixes text and elements`);
  }
  return node;
}

/** Leaf element with text content. */
export function leaf(name: string, text: string | number, attrs?: Record<string, string | number | null | undefined>): XNode {
  return el(name, attrs ?? null, String(text));
}

type Ordered = Record<string, unknown>;

function toOrdered(n: XNode): Ordered {
  const kids: Ordered[] = n.text !== undefined && n.text !== '' ? [{ '#text': n.text }] : n.children.map(toOrdered);
  const o: Ordered = { [n.name]: kids };
  if (Object.keys(n.attrs).length > 0) {
    const a: Record<string, string> = {};
    for (const [k, v] of Object.entries(n.attrs)) a[ATTR_PREFIX + k] = v;
    o[':@'] = a;
  }
  return o;
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

/** Serialise a document element, with the XML declaration. */
export function toXml(root: XNode): string {
  return XML_DECLARATION + builder.build([toOrdered(root)]);
}
