/**
 * Which gateway operation the command log names for the upstream commands a GraphQL request
 * causes (CommandLogEntry.operation, README "Command log"): the root field of the request that
 * caused them, e.g. `renewDomain` for a renewal and for the read of its payload's `domain`, or
 * `domain` for a domain query and the contact and host reads below it.
 *
 * Every port call of a request goes through its CallContext (GatewayContext.call: loaders,
 * checks, lists) or through runOperation's (a mutation's own commands, named by the mutation). A
 * wrapper on each root field sets the request's CallContext.operation before the field's
 * resolver runs:
 * - a mutation field: its own name. Mutations run one after the other (GraphQL spec §6.2.2,
 *   "normally"-serial execution), each with everything below it (its payload's read-back)
 *   finished before the next starts, so each one's commands carry its name.
 * - a query field: the names of the request's root fields, distinct, in document order, joined
 *   by "," ("viewer,domains"). Query fields run at once and share the request's loaders (one read
 *   serves every field that asks for the same object), so a command of a request with several
 *   different root fields cannot be told to belong to one of them; a request with one root field
 *   (aliases of one field included) names it alone. The commandLog filter `operation` matches a
 *   name in such a list (src/commandlog/command-log.ts).
 * Introspection fields (`__schema`, `__type`, `__typename`) send nothing and are left out.
 */
import { defaultFieldResolver, Kind, type FragmentDefinitionNode, type GraphQLFieldResolver, type GraphQLObjectType, type GraphQLResolveInfo, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import type { CallContext } from '../core/model/index.js';

/** What the wrapper reads of a resolver's context: the request's CallContext (GatewayContext.call). */
interface WithCall {
  call?: CallContext;
}

/**
 * The root field names of a selection set (fragments spread or inline at the root followed),
 * distinct, in document order, introspection fields left out. `fragments`: the document's, by name.
 */
export function rootFieldNames(selectionSet: SelectionSetNode, fragments: Readonly<Record<string, FragmentDefinitionNode>>): string[] {
  const names = new Set<string>();
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const s of set.selections) {
      if (s.kind === Kind.FIELD) {
        if (!s.name.value.startsWith('__')) names.add(s.name.value);
      } else if (s.kind === Kind.INLINE_FRAGMENT) walk(s.selectionSet);
      else if (!seen.has(s.name.value)) {
        seen.add(s.name.value);
        const f = fragments[s.name.value];
        if (f) walk(f.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return [...names];
}

/** The operation names of a query's commands, per parsed operation (computed once per document, not per field). */
const queryNames = new WeakMap<object, string>();

/** CallContext.operation for a command caused under root field `info` (see the module comment). */
export function operationOf(info: GraphQLResolveInfo): string {
  if (info.operation.operation !== 'query') return info.fieldName;
  let names = queryNames.get(info.operation);
  if (names === undefined) {
    names = rootFieldNames(info.operation.selectionSet, info.fragments).join(',') || info.fieldName;
    queryNames.set(info.operation, names);
  }
  return names;
}

/**
 * Wraps every field of the schema's Query and Mutation types so that the request's CallContext
 * (`context.call`) names the operation (operationOf) before the field's resolver runs. Changes
 * `schema` in place and answers it. A context without `call` (none in the gateway) is left alone.
 */
export function attributeCommands(schema: GraphQLSchema): GraphQLSchema {
  const wrap = (type: GraphQLObjectType | null | undefined) => {
    if (!type) return;
    for (const field of Object.values(type.getFields())) {
      const resolve: GraphQLFieldResolver<unknown, WithCall> = field.resolve ?? defaultFieldResolver;
      field.resolve = (source, args, context, info) => {
        if (context?.call) context.call.operation = operationOf(info);
        return resolve(source, args, context, info);
      };
    }
  };
  wrap(schema.getQueryType());
  wrap(schema.getMutationType());
  return schema;
}
