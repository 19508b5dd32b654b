/**
 * Every root field of a mutation document checked before any of them runs, on HTTP and
 * graphql-ws alike (as the other limits here: `apolloPlugin()` for Apollo, `answer()` around
 * graphql-ws's execute in src/http/websocket.ts).
 *
 * GraphQL runs a document's mutation fields one after the other (spec §6.2.2): in
 * `{ a: createContact(…) b: deleteDomain(name: "bad_name.example" …) }`, `a` was created at the
 * registry before `b`'s resolver found its name bad, and b's non-null payload then nulled the
 * whole answer, so the client never learnt that `a` was applied. Here each root field's
 * arguments (as graphql-js coerces them for its resolver) first pass the argument guard
 * (src/validation/guard.ts), then its mutation's own parse step, the very function its resolver
 * calls first (resolvers/common/mutate.ts MutationInputs; no second copy of any rule), then its
 * mutation's checks that need no registry (MutationChecks: routing, the registrar's account, the
 * capabilities the backend's kind and config fix; the operation's own check functions, run with
 * what is known locally, src/operations/checks.ts). When any fails, the answer is `data: null`
 * with one error per failing field (its path is the field's response name, its alias when it has
 * one; `extensions.code` and `field` as the resolver would have thrown them) and no field runs:
 * nothing is recorded under any key, nothing is sent.
 *
 * What needs the registry (an EPP registry's capabilities from its greeting, whether an object
 * exists, the registry's own refusals) or the gateway's database (a poll message, a bulk job, the
 * registrar's own domain list) is still found when the field runs.
 *
 * When every field passes, each field's parse result is handed to its resolver (takeParsed: once,
 * in the same request only), so a parse step, such as a bulk job's 20,000 names, runs once.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { HeaderMap } from '@apollo/server';
import {
  getArgumentValues,
  getOperationAST,
  getVariableValues,
  Kind,
  locatedError,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLError,
  type GraphQLFormattedError,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { collectFields } from 'graphql/execution/collectFields.js';
import { IdempotencyKeyReusedError } from '../idempotency/errors.js';
import { checkArguments } from '../validation/guard.js';

/**
 * One mutation's parse step: its coerced GraphQL arguments (by argument name) and the request's
 * context -> whatever its operation takes (or a promise of it: a bulk job's name list is checked
 * in slices); throws or rejects (ValidationError naming the field) on bad input.
 * Pure: reads, writes and sends nothing. `never` lets each step keep its own argument type.
 */
export type MutationParse<C> = (args: never, ctx: C) => unknown;

/**
 * One mutation's checks that need no registry: the parse step's result (what its resolver hands
 * its operation) and the request's context -> resolves when nothing is refused without asking the
 * registry, rejects with the error the field would give when it ran (UnknownTldError,
 * ValidationError, ForbiddenError, UnsupportedByBackendError). Reads, writes and sends nothing.
 */
export type MutationCheck<C> = (parsed: never, ctx: C) => Promise<void> | void;

/** A parse result the pre-pass keeps for the resolver of one root field: the step that made it, and what it returned. */
interface Parsed {
  parse: MutationParse<never>;
  value: unknown;
}

/**
 * The pre-pass's parse results of one request, by root field node. Keyed by the request's
 * context, which both transports make per operation (Apollo per HTTP request, without batching;
 * graphql-ws per subscribe message): a document's nodes are shared by every request that sends it
 * (the document caches), a context by no other request. null: a second operation was checked with
 * the same context (batched HTTP requests would share one), so none is handed anything and each
 * resolver parses its own arguments.
 */
const parsedByRequest = new WeakMap<object, Map<FieldNode, Parsed> | null>();

/**
 * The result the pre-pass got from `parse` for the root field `node` of the request with context
 * `ctx`, taken (a second call finds none): `found: false` when the pre-pass did not parse this
 * field with this very step (another entry point, a field it left out), and the resolver parses.
 */
export function takeParsed<R>(ctx: object, node: FieldNode, parse: (args: never, ctx: never) => R): { found: true; value: R } | { found: false } {
  const byNode = parsedByRequest.get(ctx);
  const entry = byNode?.get(node);
  if (!entry || entry.parse !== (parse as MutationParse<never>)) return { found: false };
  byNode!.delete(node);
  return { found: true, value: entry.value as R };
}

/** How an error is formatted for the client (src/http/errors.ts makeFormatError). */
export type FormatOne = (formatted: GraphQLFormattedError, error: unknown) => GraphQLFormattedError;

/** The pre-pass of one schema over its Mutation fields' parse steps (`parsers`, by field name) and their checks that need no registry (`checks`, by field name, taking the parse result). */
export class MutationInputs<C> {
  constructor(
    private readonly schema: GraphQLSchema,
    private readonly parsers: Readonly<Record<string, MutationParse<C>>>,
    private readonly checks: Readonly<Record<string, MutationCheck<C>>> = {},
  ) {}

  /** Mutation fields of the schema that have no parse step (a test keeps this empty). */
  unregistered(): string[] {
    return Object.keys(this.schema.getMutationType()?.getFields() ?? {}).filter((name) => !Object.prototype.hasOwnProperty.call(this.parsers, name));
  }

  /** Checks registered for a name that has no parse step (a check takes the parse result; a test keeps this empty). */
  checksWithoutParse(): string[] {
    return Object.keys(this.checks).filter((name) => !Object.prototype.hasOwnProperty.call(this.parsers, name));
  }

  /**
   * The errors of the root fields of `operation` whose arguments do not parse or whose checks
   * refuse them, in document order, each located at its field (path: its response name); [] for a
   * query or subscription, when every field passes, and when the variables do not fit (execution
   * reports that). A field skipped by @skip/@include is not checked, as it will not run. When
   * there is none, each field's parse result is kept for its resolver (takeParsed).
   */
  async errorsOf(document: DocumentNode, operation: OperationDefinitionNode, variables: Readonly<Record<string, unknown>> | null | undefined, ctx: C): Promise<GraphQLError[]> {
    const type = this.schema.getMutationType();
    if (operation.operation !== 'mutation' || !type) return [];
    const coerced = getVariableValues(this.schema, operation.variableDefinitions ?? [], variables ?? {}, { maxErrors: 1 });
    if (coerced.errors) return [];
    const fragments: Record<string, FragmentDefinitionNode> = {};
    for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments[d.name.value] = d;
    const fields = type.getFields();
    const errors: GraphQLError[] = [];
    const parsed = new Map<FieldNode, Parsed>();
    const keys = new Map<string, { mutation: string; parsed: unknown }>();
    for (const [responseName, nodes] of collectFields(this.schema, fragments, coerced.coerced, type, operation.selectionSet)) {
      const def = fields[nodes[0]!.name.value];
      const parse = def && this.parsers[def.name];
      if (!parse) continue; // __typename; a field without a parse step is left to its resolver
      try {
        const args = getArgumentValues(def, nodes[0]!, coerced.coerced);
        checkArguments(args);
        const value = (parse as (args: Record<string, unknown>, ctx: C) => unknown)(args, ctx);
        const result = await value;
        await (this.checks[def.name] as ((parsed: unknown, ctx: C) => unknown) | undefined)?.(result, ctx);
        sameKeySameRequest(keys, def.name, args.idempotencyKey, result);
        // What the resolver gets from takeParsed: what the step returned (a promise stays one).
        parsed.set(nodes[0]!, { parse: parse as MutationParse<never>, value });
      } catch (err) {
        errors.push(locatedError(err, nodes, [responseName]));
      }
    }
    if (errors.length === 0 && parsed.size > 0 && typeof ctx === 'object' && ctx !== null) parsedByRequest.set(ctx, parsedByRequest.has(ctx) ? null : parsed);
    return errors;
  }

  /**
   * For graphql-ws's execute (a query or subscription is never held up by it): the answer to give instead of executing (`data: null` and every
   * failing field's error, formatted later as any answer's are), or undefined to execute.
   */
  async answer(args: ExecutionArgs): Promise<ExecutionResult | undefined> {
    const operation = getOperationAST(args.document, args.operationName);
    if (operation?.operation !== 'mutation') return undefined;
    const errors = await this.errorsOf(args.document, operation, args.variableValues, args.contextValue as C);
    return errors.length > 0 ? { data: null, errors } : undefined;
  }

  /**
   * The same for Apollo Server (HTTP): answers `data: null` and the failing fields' errors, each
   * formatted by `format` (the formatter Apollo uses: Apollo formats only what it executed),
   * instead of executing; HTTP 200, as an answer whose field failed.
   */
  apolloPlugin<T extends C & object>(format: FormatOne): ApolloServerPlugin<T> {
    return {
      requestDidStart: async () => ({
        responseForOperation: async ({ document, operation, request, contextValue }) => {
          if (!document || !operation) return null;
          const errors = await this.errorsOf(document, operation, request.variables, contextValue);
          if (errors.length === 0) return null;
          return { http: { status: undefined, headers: new HeaderMap() }, body: { kind: 'single', singleResult: { data: null, errors: errors.map((e) => format(e.toJSON(), e)) } } };
        },
      }),
    };
  }
}

/**
 * Two root fields of one document under one idempotency key must be one request: the second then
 * replays the first's answer, as a retry would. Another mutation, or other arguments (the parse
 * steps' results, which are what the operations fingerprint), would be refused
 * IDEMPOTENCY_KEY_REUSED when the second field ran, after the first had been sent: refused here,
 * before either runs. `keys`: the document's keys so far (key -> the first field's mutation and
 * request); a field without an `idempotencyKey` argument is not counted.
 * Throws IdempotencyKeyReusedError (field `idempotencyKey`).
 */
function sameKeySameRequest(keys: Map<string, { mutation: string; parsed: unknown }>, mutation: string, key: unknown, parsed: unknown): void {
  if (typeof key !== 'string') return;
  const first = keys.get(key);
  if (!first) return void keys.set(key, { mutation, parsed }); // serialized only when a second field shares the key
  if (first.mutation !== mutation || requestText(first.parsed) !== requestText(parsed)) throw new IdempotencyKeyReusedError(first.mutation);
}

/** A parse result as text, to compare two (bigints as their digits). */
function requestText(parsed: unknown): string {
  return JSON.stringify(parsed, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? '';
}
