/**
 * Mask secrets in an EPP frame before it is logged: the text of every <pw> and <newPW>
 * (login, authInfo) and everything inside any <authInfo>, whatever the prefix.
 * The frame is parsed and re-serialised; a frame that does not parse is not logged at all.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { parseOrdered, tagOf, type OrderedNode } from './parse.js';

/** What redact and maskSecrets write in place of a secret. */
export const MASK = '*****';

const SECRET_ELEMENTS = new Set(['pw', 'newPW']);
const SECRET_CONTAINERS = new Set(['authInfo']);

const builder = new XMLBuilder({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  suppressEmptyNode: true,
  processEntities: true,
});

function localName(tag: string): string {
  const i = tag.indexOf(':');
  return i < 0 ? tag : tag.slice(i + 1);
}

function maskAllText(nodes: OrderedNode[]): OrderedNode[] {
  return nodes.map((n) => {
    const tag = tagOf(n);
    if (tag === undefined) return n;
    if (tag === '#text') return String(n[tag]).trim() === '' ? n : { '#text': MASK };
    return { ...n, [tag]: maskAllText((n[tag] as OrderedNode[]) ?? []) };
  });
}

function walk(nodes: OrderedNode[]): OrderedNode[] {
  return nodes.map((n) => {
    const tag = tagOf(n);
    if (tag === undefined || tag === '#text') return n;
    const kids = (n[tag] as OrderedNode[]) ?? [];
    const local = localName(tag);
    if (SECRET_ELEMENTS.has(local)) return { ...n, [tag]: [{ '#text': MASK }] };
    if (SECRET_CONTAINERS.has(local)) return { ...n, [tag]: maskAllText(kids) };
    return { ...n, [tag]: walk(kids) };
  });
}

/** The frame with secrets masked, safe to log. */
export function redact(xml: string): string {
  try {
    return builder.build(walk(parseOrdered(xml))) as string;
  } catch {
    return `[unparseable EPP frame of ${Buffer.byteLength(xml)} bytes, not logged]`;
  }
}

/** Replace every occurrence of the given secrets in free text (upstream messages may echo input). */
export function maskSecrets(text: string, secrets: ReadonlyArray<string | null | undefined>): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 3) out = out.split(s).join(MASK);
  }
  return out;
}
