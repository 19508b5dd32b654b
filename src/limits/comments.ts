/**
 * Comments count against limits.maxTokens. graphql-js's parser leaves comments out of its token
 * limit (`maxLexicalTokens`) but keeps a token object for each one, linked into the document it
 * returns (each node's `loc` reaches every token): a 1.3 MB document of 650,000 `#` lines is one
 * token to the limit and some 60 MB once parsed, held for as long as the request runs. So the
 * comments of a document are counted first, in one pass over its text that builds nothing, and a
 * document with more comments than maxTokens is refused before it is parsed.
 */
import type { GraphQLError } from 'graphql';
import { queryTooComplex } from './errors.js';

const HASH = 0x23; // #
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c;
const LF = 0x0a;
const CR = 0x0d;

/**
 * The comments in a GraphQL document's text (GraphQL spec, October 2021, section 2.1.6: `#` to
 * the end of the line), outside string values (`"..."`, with escapes, and block strings
 * `"""..."""`, where `\"""` does not end them), counting no further than `max + 1`. Linear in
 * the text, allocates nothing. Text the parser would refuse (an unterminated string) is counted
 * as far as it goes; the parser then says what is wrong with it.
 */
export function countComments(source: string, max: number): number {
  if (source.indexOf('#') < 0) return 0;
  let n = 0;
  const end = source.length;
  let i = 0;
  while (i < end) {
    const c = source.charCodeAt(i);
    if (c === HASH) {
      if (++n > max) return n;
      while (i < end && source.charCodeAt(i) !== LF && source.charCodeAt(i) !== CR) i++;
    } else if (c === QUOTE) {
      if (source.charCodeAt(i + 1) === QUOTE && source.charCodeAt(i + 2) === QUOTE) {
        i += 3;
        while (i < end && !(source.charCodeAt(i) === QUOTE && source.charCodeAt(i + 1) === QUOTE && source.charCodeAt(i + 2) === QUOTE)) {
          i += source.charCodeAt(i) === BACKSLASH && source.startsWith('"""', i + 1) ? 4 : 1;
        }
        i += 3;
      } else {
        i++;
        for (;;) {
          if (i >= end) break;
          const s = source.charCodeAt(i);
          if (s === QUOTE || s === LF || s === CR) break;
          i += s === BACKSLASH ? 2 : 1;
        }
        i++;
      }
    } else i++;
  }
  return n;
}

/**
 * QUERY_TOO_COMPLEX (limit `maxTokens`, HTTP 400) when the document has more than `maxTokens`
 * comments (countComments), else null. Used before graphql-js parses a document, over HTTP
 * (src/server.ts, after the body is read) and graphql-ws (src/http/documents.ts).
 */
export function tooManyComments(source: string, maxTokens: number): GraphQLError | null {
  if (countComments(source, maxTokens) <= maxTokens) return null;
  return queryTooComplex('maxTokens', maxTokens, `the document has more than ${maxTokens} comments (limits.maxTokens counts them, as tokens); nothing was parsed`);
}
