/**
 * The shape of a request's JSON, bounded before it is parsed: its nesting depth and how many
 * values it holds.
 *
 * V8's JSON.parse does not recurse, but it is slow on deep nesting: a 2 MB body of one variable
 * nested 1,000,000 arrays deep took 640-770 ms to parse here, and the gateway's thread with it,
 * so one client sending it in a loop held every other request (`/healthz` waited up to 1.25 s).
 * No input type of the schema nests more than a few levels, and the largest legitimate request (a
 * bulk job of bulk.maxItems domains, each an object of two or three fields) holds a few values per
 * item; each value costs the request's later walks (variable coercion, the secrets' scan) as much
 * as its parse. So a body or graphql-ws message is scanned once, linearly, over its raw bytes (a
 * 2 MB body in ~10 ms), and refused before JSON.parse when it nests deeper than MAX_JSON_DEPTH or
 * holds more values than its bound.
 */

/** The most levels of arrays and objects inside one another a request body or graphql-ws message may have. */
export const MAX_JSON_DEPTH = 32;

/** Values a request may hold per bulk item allowed (bulk.maxItems), beyond MIN_JSON_VALUES: an item is an object of a name and one to three more fields. */
export const JSON_VALUES_PER_BULK_ITEM = 8;

/** The values any request may hold, whatever bulk.maxItems: far more than any query's variables. */
export const MIN_JSON_VALUES = 20_000;

/** The most values (objects, arrays, strings, numbers, literals) a request's JSON may hold, given the bulk.maxItems in force. */
export function maxJsonValues(bulkMaxItems: number): number {
  return MIN_JSON_VALUES + JSON_VALUES_PER_BULK_ITEM * bulkMaxItems;
}

/** Why a JSON text is refused before it is parsed. */
export interface JsonShapeRefusal {
  /** 'depth' (deeper than MAX_JSON_DEPTH) or 'values' (more than the bound given). */
  limit: 'depth' | 'values';
  max: number;
  /** The message a client is told, naming the bound (never quoting the text). */
  message: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const OPEN_OBJECT = 0x7b;
const CLOSE_ARRAY = 0x5d;
const CLOSE_OBJECT = 0x7d;
const COMMA = 0x2c;

/**
 * Scans `json` (UTF-8 bytes, or a string) once and returns why it must not be parsed, or null.
 * Values are counted as containers opened plus separators (`,`) outside strings, plus one: within
 * one of the true count for each container. Malformed JSON is left to the parser to refuse.
 * `what` names the text in the message ("the request body", "the message").
 */
export function jsonShapeRefusal(json: Uint8Array | string, maxValues: number, what: string): JsonShapeRefusal | null {
  const bytes = typeof json === 'string' ? Buffer.from(json) : json;
  let depth = 0;
  let values = 1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) {
      // Skip the string: to its closing quote, over escapes. UTF-8's multi-byte sequences never
      // contain an ASCII byte, so a quote or backslash byte is always that character.
      for (i++; i < bytes.length; i++) {
        const s = bytes[i];
        if (s === BACKSLASH) i++;
        else if (s === QUOTE) break;
      }
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > MAX_JSON_DEPTH) return { limit: 'depth', max: MAX_JSON_DEPTH, message: `${what} nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep` };
      if (++values > maxValues) return tooMany(what, maxValues);
    } else if (c === CLOSE_ARRAY || c === CLOSE_OBJECT) {
      depth--;
    } else if (c === COMMA) {
      if (++values > maxValues) return tooMany(what, maxValues);
    }
  }
  return null;
}

const tooMany = (what: string, max: number): JsonShapeRefusal => ({ limit: 'values', max, message: `${what} holds more than ${max} JSON values` });
