/**
 * Bounds on the document itself, the same for HTTP and graphql-ws: tokens while parsing (so no
 * rule ever walks an oversized document), then depth, aliases, directives and the number of
 * fields the operation expands to, as validation rules from graphql-armor. Those rules work on the
 * operation as it is entered, before any rule walks its selections, and remember each fragment's
 * figure the first time they count it, so a fragment spread many times (`...F ...F` on every
 * level) is counted in time linear in the document, not in its expansion.
 */
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import { GraphQLError, type ParseOptions, type ValidationContext, type ValidationRule } from 'graphql';
import { queryTooComplex, type LimitName } from './errors.js';
import type { Limits } from './limits.js';

/** Options for graphql-js's parser: it stops with a syntax error past `maxTokens` lexical tokens. */
export function parseOptions(limits: Pick<Limits, 'maxTokens'>): ParseOptions {
  return { maxLexicalTokens: limits.maxTokens };
}

/**
 * Validation rules for depth (levels of fields, through fragments: a spread adds its fragment's
 * depth, not a level of its own; introspection's `__schema` is left out, so
 * `getIntrospectionQuery()`, 15 levels deep, passes), aliases, directives and fields after
 * expansion (each spread counts its fragment's fields again, a literal `first` multiplies; armor's
 * cost rule with every weight 1). Each refusal is a QUERY_TOO_COMPLEX error naming the limit.
 */
export function documentRules(limits: Pick<Limits, 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxFields'>): ValidationRule[] {
  const reject = (limit: LimitName, max: number, message?: string) => (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(queryTooComplex(limit, max, message ?? error.message.replace(/^Syntax Error: /, '')));
  };
  const fields = `the operation expands to more than ${limits.maxFields} fields (the limit; fragments counted where they are spread, lists by their first argument)`;
  const common = { exposeLimits: true, propagateOnRejection: false };
  // graphql-armor's rules return class instances; graphql's ValidationRule wants an ASTVisitor.
  return [
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, onReject: [reject('maxDepth', limits.maxDepth)] }),
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: [reject('maxAliases', limits.maxAliases)] }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: [reject('maxDirectives', limits.maxDirectives)] }),
    costLimitRule({
      ...common,
      maxCost: limits.maxFields,
      objectCost: 1,
      scalarCost: 1,
      depthCostFactor: 1,
      flattenFragments: true,
      ignoreIntrospection: true,
      onReject: [reject('maxFields', limits.maxFields, fields)],
    }),
  ] as unknown as ValidationRule[];
}

/**
 * The parser's "Document contains more than N tokens" syntax error, recoded as QUERY_TOO_COMPLEX;
 * anything else comes back unchanged.
 */
export function recodeTokenLimit(error: GraphQLError, limits: Pick<Limits, 'maxTokens'>): GraphQLError {
  // graphql 16.15 words it "more that N tokens"; accept the corrected spelling too.
  if (!/^Syntax Error: Document contains more tha[tn] \d+ tokens/.test(error.message)) return error;
  return queryTooComplex('maxTokens', limits.maxTokens, `the document has more than ${limits.maxTokens} tokens (the limit); parsing stopped there`);
}
