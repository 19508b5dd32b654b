import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';
import { LRUCache } from 'lru-cache';
import { tooManyComments } from '../limits/comments.js';
import { documentBytes } from '../limits/retained.js';
import { DOCUMENT_CACHE_BYTES } from './document-store.js';

/** What one query text gave: its document or the errors that make it unusable, and the bytes it holds (src/limits/retained.ts). */
type Entry = { result: DocumentNode | readonly GraphQLError[]; bytes: number };

/**
 * Parsed and validated documents by query text, as Apollo keeps for HTTP. A thousand clients
 * subscribing with the same query cost one parse and one validation instead of a thousand, which
 * is most of the CPU and garbage of a reconnect storm. Bounded by the bytes its entries hold
 * (lru-cache with maxSize DOCUMENT_CACHE_BYTES, the least recently used going first; an entry
 * bigger than an eighth of that is not kept): before, 1,000 entries whatever their size, and a
 * document may be 2 MB of text (a message's limit) and, with a million comments (now refused before parsing:
 * src/limits/comments.ts), some 90 MB parsed. Parsing and validation are Apollo's: graphql-js's `parse` with the same
 * options (the token limit), graphql-js's rules followed by the same extra rules.
 */
export class DocumentCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly parseOptions: ParseOptions = {},
    maxBytes = DOCUMENT_CACHE_BYTES,
  ) {
    this.entries = new LRUCache<string, Entry>({ maxSize: maxBytes, maxEntrySize: Math.ceil(maxBytes / 8), sizeCalculation: (e) => Math.max(1, e.bytes) });
  }

  /** The document, or the errors that make it unusable, with the bytes it holds (estimated). */
  entry(query: string): Entry {
    const hit = this.entries.get(query);
    if (hit) return hit;
    let entry: Entry;
    // Comments count against the token limit, before the parser builds a token for each (src/limits/comments.ts).
    const comments = tooManyComments(query, this.parseOptions.maxLexicalTokens ?? Number.POSITIVE_INFINITY);
    if (comments) {
      entry = { result: [comments], bytes: documentBytes(query, undefined) };
      this.entries.set(query, entry);
      return entry;
    }
    try {
      const document = parse(query, this.parseOptions);
      const errors = validate(this.schema, document, [...specifiedRules, ...this.rules]);
      entry = { result: errors.length > 0 ? errors.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED')) : document, bytes: documentBytes(query, document) };
    } catch (err) {
      entry = { result: [coded(err instanceof GraphQLError ? err : new GraphQLError(String(err)), 'GRAPHQL_PARSE_FAILED')], bytes: documentBytes(query, undefined) };
    }
    this.entries.set(query, entry);
    return entry;
  }

  /** The document, or the errors that make it unusable. */
  get(query: string): DocumentNode | readonly GraphQLError[] {
    return this.entry(query).result;
  }

  /** Bytes the cached entries hold now (estimated; at most the cache's maxBytes). */
  get bytes(): number {
    return this.entries.calculatedSize;
  }
}

/** The codes Apollo gives the same errors over HTTP; the original stays inside, as Apollo keeps it. */
function coded(e: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, originalError: e, extensions: { ...e.extensions, code } });
}
