/**
 * The REPP document's request and response examples (test/fixtures/repp/examples.json, extracted
 * from shared/upstream/002_13834b2b835d5bf6.txt by scripts/extract-repp-examples.mjs), and a
 * comparison of an answer's shape with an example's.
 */
import { readFileSync } from 'node:fs';

export interface ReppExample {
  id: string;
  /** Line of the curl command in the document. */
  line: number;
  section: string;
  title: string | null;
  /** The document's "HTTP Request" line, e.g. "GET /repp/v1/domains/:domain_name". */
  endpoint: string | null;
  request: { method: string; url: string; path: string; query: Record<string, string>; headers: Record<string, string>; body: string | null; /** The curl command as printed. */ curl: string };
  responses: { line: number; intro: string | null; text: string }[];
}

const FILE = new URL('../fixtures/repp/examples.json', import.meta.url);

export const REPP_EXAMPLES: readonly ReppExample[] = (JSON.parse(readFileSync(FILE, 'utf8')) as { examples: ReppExample[] }).examples;

export function example(id: string): ReppExample {
  const e = REPP_EXAMPLES.find((x) => x.id === id);
  if (!e) throw new Error(`no REPP example ${id}`);
  return e;
}

/**
 * Parses an example as printed. Several have a comma before "}" or "]" (the domain list, the
 * domain info, the contact list, the name server list), which JSON forbids: it is dropped. A key
 * that appears twice (kass.ee's transfer_code) keeps its last value, as JSON.parse does.
 */
export function exampleJson(text: string): Record<string, unknown> {
  return JSON.parse(text.replace(/,(\s*[}\]])/g, '$1')) as Record<string, unknown>;
}

/** Object keys whose members are free (a status map: {"ok": "", "serverHold": ""}). */
const MAPS = new Set(['statuses']);

/**
 * Differences between the shape of `actual` and the example's: the same keys (no more, no fewer),
 * the same JSON types; an example's null allows any value; each element of an array matches one of
 * the example's elements (an empty example array allows any elements).
 */
export function shapeDiff(actual: unknown, expected: unknown, path = 'body'): string[] {
  if (expected === null) return [];
  const type = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (type(actual) !== type(expected)) return [`${path}: ${type(actual)} where the document has ${type(expected)}`];
  if (Array.isArray(expected)) {
    if (expected.length === 0) return [];
    return (actual as unknown[]).flatMap((a, i) => {
      const tries = expected.map((e) => shapeDiff(a, e, `${path}[${i}]`));
      return tries.find((t) => t.length === 0) ?? tries[0];
    });
  }
  if (type(expected) !== 'object') return [];
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  if (MAPS.has(path.split('.').at(-1)!.replace(/\[\d+\]$/, ''))) {
    return Object.entries(a).flatMap(([k, v]) => (v === null || typeof v === 'string' ? [] : [`${path}.${k}: status note must be a string or null`]));
  }
  const missing = Object.keys(e).filter((k) => !(k in a)).map((k) => `${path}.${k}: missing`);
  const extra = Object.keys(a).filter((k) => !(k in e)).map((k) => `${path}.${k}: not in the document`);
  return [...missing, ...extra, ...Object.keys(e).filter((k) => k in a).flatMap((k) => shapeDiff(a[k], e[k], `${path}.${k}`))];
}
