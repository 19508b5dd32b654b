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
import { BREAK, getNamedType, GraphQLError, GraphQLInt, Kind, TypeInfo, visit, visitWithTypeInfo, type ASTVisitor, type DocumentNode, type FieldNode, type GraphQLSchema, type ParseOptions, type SelectionSetNode, type ValidationContext, type ValidationRule } from 'graphql';
import { queryTooComplex, type LimitName } from './errors.js';
import type { Limits } from './limits.js';

/** Options for graphql-js's parser: it stops with a syntax error past `maxTokens` lexical tokens. */
export function parseOptions(limits: Pick<Limits, 'maxTokens'>): ParseOptions {
  return { maxLexicalTokens: limits.maxTokens };
}

/** GraphQL Int's range (GraphQL spec §3.5.1: a signed 32-bit integer). */
const INT_MAX = 2 ** 31 - 1;
const INT_MIN = -(2 ** 31);

/**
 * Whether `document` gives a `first` or `last` argument of type Int a literal outside Int's range
 * (`first: 123456789012`). graphql-armor's cost rule multiplies a list by such a literal as it
 * stands, so it would report maxFields beside graphql-js's own error for the literal
 * (ValuesOfCorrectTypeRule: "Int cannot represent non 32-bit signed integer value", naming the
 * argument): that error alone says what is wrong, and the document is refused by it anyway.
 */
export function hasOutOfRangeListSize(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let found = false;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Argument(node) {
        if ((node.name.value !== 'first' && node.name.value !== 'last') || node.value.kind !== Kind.INT) return;
        const arg = typeInfo.getArgument();
        const n = Number(node.value.value);
        if (arg && getNamedType(arg.type) === GraphQLInt && (n > INT_MAX || n < INT_MIN)) {
          found = true;
          return BREAK;
        }
      },
    }),
  );
  return found;
}

/**
 * Validation rules for depth (levels of fields, through fragments: a spread adds its fragment's
 * depth, not a level of its own; introspection's `__schema` is left out, so
 * `getIntrospectionQuery()`, 15 levels deep, passes), aliases, directives and fields after
 * expansion (each spread counts its fragment's fields again, a literal `first` multiplies; armor's
 * cost rule with every weight 1). Each refusal is a QUERY_TOO_COMPLEX error naming the limit;
 * a `first`/`last` literal out of Int's range is refused by graphql-js alone (hasOutOfRangeListSize).
 */
export function documentRules(limits: Pick<Limits, 'maxDepth' | 'maxAliases' | 'maxDirectives' | 'maxFields' | 'maxSameNameFields'>): ValidationRule[] {
  const reject = (limit: LimitName, max: number, message?: string) => (context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(queryTooComplex(limit, max, message ?? error.message.replace(/^Syntax Error: /, '')));
  };
  const fields = `the operation expands to more than ${limits.maxFields} fields (the limit; fragments counted where they are spread, lists by their first argument)`;
  // A list size out of Int's range is graphql-js's error alone (hasOutOfRangeListSize), not also maxFields.
  const rejectFields = reject('maxFields', limits.maxFields, fields);
  const onFieldsRejected = (context: ValidationContext | null, error: GraphQLError) => {
    if (context && hasOutOfRangeListSize(context.getSchema(), context.getDocument())) return;
    rejectFields(context, error);
  };
  const common = { exposeLimits: true, propagateOnRejection: false };
  // graphql-armor's rules return class instances; graphql's ValidationRule wants an ASTVisitor.
  return [
    sameNameFieldsRule(limits),
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
      onReject: [onFieldsRejected],
    }),
  ] as unknown as ValidationRule[];
}

/** Levels the same-name walk descends at most (only a fragment cycle, which validation refuses, goes deeper than a document's nesting). */
const MAX_WALK_DEPTH = 1000;

/** Where a document breaks maxSameNameFields: the place's response path and how many fields answer there; or 'maxFields' when it expands too far to count. */
type SameNameExcess = { path: string[]; count: number } | 'maxFields';

/**
 * The first place in `document` (its operations, then its fragments) where more than `max`
 * distinct fields answer under one response name: fields of one selection set, of the inline
 * fragments and fragments spread in it, and of every field of that name one level up (the
 * answer merges them: `{ a { b } a { b } }` has two `b` at `a.b`). graphql-js's
 * OverlappingFieldsCanBeMergedRule compares each pair of those, so a place with n of them costs
 * it n² comparisons. One pass, each field counted once per place: linear in the places the
 * operation expands to, at most `maxPlaces` of them ('maxFields' beyond).
 */
export function sameNameExcess(document: DocumentNode, max: number, maxPlaces: number): SameNameExcess | null {
  const fragments = new Map<string, SelectionSetNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d.selectionSet);
  let places = 0;
  const place = (sets: readonly SelectionSetNode[], path: string[]): SameNameExcess | null => {
    if (path.length > MAX_WALK_DEPTH) return null;
    const byName = new Map<string, FieldNode[]>();
    const seen = new Set<FieldNode>();
    const spread = new Set<string>();
    const collect = (set: SelectionSetNode): boolean => {
      for (const s of set.selections) {
        if (s.kind === Kind.FIELD) {
          if (seen.has(s)) continue;
          seen.add(s);
          if (++places > maxPlaces) return false;
          const name = s.alias?.value ?? s.name.value;
          const list = byName.get(name);
          if (list) list.push(s);
          else byName.set(name, [s]);
        } else if (s.kind === Kind.INLINE_FRAGMENT) {
          if (!collect(s.selectionSet)) return false;
        } else if (!spread.has(s.name.value)) {
          spread.add(s.name.value);
          const f = fragments.get(s.name.value);
          if (f && !collect(f)) return false;
        }
      }
      return true;
    };
    for (const set of sets) if (!collect(set)) return 'maxFields';
    for (const [name, fields] of byName) if (fields.length > max) return { path: [...path, name], count: fields.length };
    for (const [name, fields] of byName) {
      const below = fields.flatMap((f) => (f.selectionSet ? [f.selectionSet] : []));
      const found = below.length > 0 ? place(below, [...path, name]) : null;
      if (found) return found;
    }
    return null;
  };
  for (const d of document.definitions) {
    if (d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION) continue;
    const found = place([d.selectionSet], d.kind === Kind.FRAGMENT_DEFINITION ? [`...${d.name.value}`] : []);
    if (found) return found;
  }
  return null;
}

/**
 * maxSameNameFields as a validation rule that runs before every other: when the document has a
 * place with more same-name fields than the limit (sameNameExcess), it reports QUERY_TOO_COMPLEX
 * naming the place (`extensions.field`, response names joined by dots) and ends validation there
 * (a visitor's non-node answer at the root makes graphql-js's walk skip the whole document), so
 * no other rule, graphql-js's quadratic OverlappingFieldsCanBeMergedRule above all, walks it.
 */
export function sameNameFieldsRule(limits: Pick<Limits, 'maxSameNameFields' | 'maxFields'>): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    Document(node) {
      const excess = sameNameExcess(node, limits.maxSameNameFields, limits.maxFields);
      if (!excess) return undefined;
      if (excess === 'maxFields') {
        context.reportError(queryTooComplex('maxFields', limits.maxFields, `the operation expands to more than ${limits.maxFields} fields (the limit; fragments counted where they are spread)`));
      } else {
        const field = excess.path.join('.');
        context.reportError(
          queryTooComplex(
            'maxSameNameFields',
            limits.maxSameNameFields,
            `${excess.count} fields answer as ${field}; at most ${limits.maxSameNameFields} fields may share one response name at one place (repeated fields, aliases, fragments and repeated parents included)`,
            field,
          ),
        );
      }
      // null, not false: visitInParallel hands it to graphql-js's walk, which then skips the document for every rule.
      return null;
    },
  });
}

/**
 * graphql-js's OverlappingFieldsCanBeMergedRule stops at its own budget (500,000 comparisons,
 * fixed in graphql-js) with the bare "Validation aborted."; recoded as QUERY_TOO_COMPLEX naming
 * it `validationBudget`. maxSameNameFields keeps a document within maxTokens from getting there.
 * Anything else comes back unchanged.
 */
export function recodeValidationAborted(error: GraphQLError): GraphQLError {
  if (error.message !== 'Validation aborted.' || error.extensions.code !== undefined) return error;
  return queryTooComplex('validationBudget', VALIDATION_BUDGET, `the document has too many fields to compare for merging (graphql-js stops at ${VALIDATION_BUDGET} comparisons); send fewer fields of one name at one place`);
}

/** graphql-js 16's OverlappingFieldsCanBeMergedRule budget (MAX_COMPLEXITY_BUDGET, not configurable). */
export const VALIDATION_BUDGET = 500_000;

/**
 * The parser's "Document contains more than N tokens" syntax error, recoded as QUERY_TOO_COMPLEX;
 * anything else comes back unchanged.
 */
export function recodeTokenLimit(error: GraphQLError, limits: Pick<Limits, 'maxTokens'>): GraphQLError {
  // graphql 16.15 words it "more that N tokens"; accept the corrected spelling too.
  if (!/^Syntax Error: Document contains more tha[tn] \d+ tokens/.test(error.message)) return error;
  return queryTooComplex('maxTokens', limits.maxTokens, `the document has more than ${limits.maxTokens} tokens (the limit); parsing stopped there`);
}
