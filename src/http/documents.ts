import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ParseOptions, type ValidationRule } from 'graphql';

/**
 * Parsed and validated documents by query text, as Apollo keeps for HTTP. A thousand clients
 * subscribing with the same query cost one parse and one validation instead of a thousand, which
 * is most of the CPU and garbage of a reconnect storm. Bounded: the oldest entry goes first.
 * Parsing and validation are Apollo's: graphql-js's `parse` with the same options (the token
 * limit), graphql-js's rules followed by the same extra rules.
 */
export class DocumentCache {
  private readonly entries = new Map<string, DocumentNode | readonly GraphQLError[]>();

  constructor(
    private readonly schema: GraphQLSchema,
    private readonly rules: readonly ValidationRule[],
    private readonly parseOptions: ParseOptions = {},
    private readonly max = 1000,
  ) {}

  /** The document, or the errors that make it unusable. */
  get(query: string): DocumentNode | readonly GraphQLError[] {
    const hit = this.entries.get(query);
    if (hit) return hit;
    let result: DocumentNode | readonly GraphQLError[];
    try {
      const document = parse(query, this.parseOptions);
      const errors = validate(this.schema, document, [...specifiedRules, ...this.rules]);
      result = errors.length > 0 ? errors.map((e) => coded(e, 'GRAPHQL_VALIDATION_FAILED')) : document;
    } catch (err) {
      result = [coded(err instanceof GraphQLError ? err : new GraphQLError(String(err)), 'GRAPHQL_PARSE_FAILED')];
    }
    if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(query, result);
    return result;
  }
}

/** The codes Apollo gives the same errors over HTTP; the original stays inside, as Apollo keeps it. */
function coded(e: GraphQLError, code: string): GraphQLError {
  return new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, originalError: e, extensions: { ...e.extensions, code } });
}
