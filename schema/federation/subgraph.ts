// The helper buildSubgraphSchema itself attaches resolvers with; this module of @apollo/subgraph
// loads graphql-js alone, not @apollo/federation-internals (which its index does).
import { addResolversToSchema } from '@apollo/subgraph/dist/schema-helper/buildSchemaFromSDL.js';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { buildASTSchema, getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, isUnionType, parse, type GraphQLArgument, type GraphQLFieldResolver, type GraphQLInputField, type GraphQLSchema } from 'graphql';
import { quoted, ValidationError } from '../../src/core/errors.js';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';
import { readSubgraphCache, subgraphCacheOf, type SubgraphCache } from './subgraph-cache.js';

/**
 * The Federation 2 link the subgraph declares (https://specs.apollo.dev/federation/v2.3): v2.3 is
 * understood by Apollo Router 1.x and 2.x, Apollo Gateway 2.3+ and the other Federation 2 routers.
 * Only `@key` is imported; the gateway owns no field another subgraph shares.
 */
export const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

/**
 * The reference resolver per entity type name (the types with `@key`): the entity for one
 * representation, null when the registry has none. `at` is the representation's place in the
 * request, `representations[i]`, for the errors it throws (ValidationError naming `${at}.<key field>`).
 */
export type ReferenceResolvers = Record<string, (representation: Record<string, unknown>, context: never, at: string) => unknown>;

/**
 * Builds an Apollo Federation 2 subgraph schema (`_service`, `_entities`, `_Any`, `@link`) from
 * type-graphql classes: the type-graphql schema is printed with its `@Directive` annotations
 * (`@key`), made a subgraph (makeSubgraph: @apollo/subgraph's buildSubgraphSchema, or what it made
 * of the same SDL before, schema/federation/subgraph.cache.json), and given back every resolver
 * type-graphql generated (fields, subscriptions, scalars, enum values); `_entities` answers each
 * representation through its entity's reference resolver (resolveEntities). Follows type-graphql's
 * examples/apollo-federation-2 helper. `cache: false` always builds the subgraph (the cache's own test).
 */
export async function buildFederatedSchema(options: BuildSchemaOptions, references: ReferenceResolvers, { cache = true }: { cache?: boolean } = {}): Promise<GraphQLSchema> {
  const subgraph = withInternalEnumDefaults((await makeSubgraph(options, cache)).subgraph);
  const entityUnion = subgraph.getType('_Entity');
  const entityTypes = new Set(isUnionType(entityUnion) ? entityUnion.getTypes().map((t) => t.name) : []);
  for (const typeName of Object.keys(references)) {
    if (!entityTypes.has(typeName)) throw new Error(`reference resolver for ${typeName}, which is not an entity (a type with @key) of the schema`);
  }
  const entities = subgraph.getQueryType()?.getFields()._entities;
  if (entities) entities.resolve = resolveEntities(references);
  return subgraph;
}

/**
 * The type-graphql schema of `options` as a subgraph with type-graphql's resolvers, before the
 * gateway's own changes (buildFederatedSchema): from the cache when `useCache` and it was made from
 * this very SDL (`cached`), else from @apollo/subgraph's buildSubgraphSchema, loaded only then, with
 * the cache that would serve it (`cache`, what `npm run schema:print` writes).
 */
export async function makeSubgraph(options: BuildSchemaOptions, useCache: boolean): Promise<{ subgraph: GraphQLSchema; cached: boolean; cache: SubgraphCache }> {
  const schema = await buildSchema(options);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  const typeDefs = `${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`;
  const hit = useCache ? readSubgraphCache(typeDefs) : undefined;
  if (hit) return { subgraph: subgraphFromCache(hit, resolvers), cached: true, cache: hit };
  const { buildSubgraphSchema } = await import('@apollo/subgraph');
  const subgraph = buildSubgraphSchema({ typeDefs: parse(typeDefs), resolvers });
  return { subgraph, cached: false, cache: subgraphCacheOf(typeDefs, subgraph) };
}

/**
 * The executable schema buildSubgraphSchema made, rebuilt from its SDL (graphql-js, the SDL taken
 * as valid: it was printed from a valid schema), with the resolvers buildSubgraphSchema attaches:
 * `_service` answering the cached SDL, `_Entity` resolving to the entity's `__typename`,
 * `_entities` (replaced by buildFederatedSchema), then `resolvers`, attached as it attaches them.
 */
function subgraphFromCache(cache: SubgraphCache, resolvers: GraphQLResolverMap<unknown>): GraphQLSchema {
  const schema = buildASTSchema(parse(cache.executable), { assumeValidSDL: true });
  const sdl = cache.service;
  addResolversToSchema(schema, {
    Query: { _service: () => ({ sdl }) },
    _Entity: { __resolveType: (parent: { __typename?: string }) => parent.__typename },
  } as GraphQLResolverMap<unknown>);
  addResolversToSchema(schema, resolvers);
  return schema;
}

/**
 * `_entities(representations)`, in place of @apollo/subgraph's resolver, which threw a plain Error
 * for the whole list at the first representation whose `__typename` is missing or names no
 * entity (INTERNAL_SERVER_ERROR for every representation, good ones included), and let a
 * reference resolver's synchronous throw fail the list too. Here each representation is answered
 * on its own (Federation subgraph spec: `_entities` is `[_Entity]!`, an entity that cannot be
 * resolved is null with an error at `["_entities", i]`): one that is not an object, lacks
 * `__typename`, or names a type that is not an entity of this subgraph (`Query`, an unknown
 * name) is null with BAD_USER_INPUT naming `representations[i]` / `representations[i].__typename`,
 * and its reference resolver is not called, so nothing is sent upstream for it; a missing or
 * malformed key field is the reference resolver's own BAD_USER_INPUT naming
 * `representations[i].<key field>`, thrown before its first upstream call. Each entity answered
 * carries its `__typename` (the `_Entity` union's type resolver reads it).
 */
function resolveEntities(references: ReferenceResolvers): GraphQLFieldResolver<unknown, unknown, { representations: unknown[] }> {
  const names = Object.keys(references);
  const entityNames = names.join(', ');
  const one = (representation: unknown, i: number, context: unknown): unknown => {
    const at = `representations[${i}]`;
    if (representation === null || typeof representation !== 'object' || Array.isArray(representation)) {
      throw new ValidationError(at, `must be an object with __typename and the key fields of an entity (${entityNames})`);
    }
    const rep = representation as Record<string, unknown>;
    const typeName = rep.__typename;
    if (typeName === undefined || typeName === null) throw new ValidationError(`${at}.__typename`, `is required: the entity type (${entityNames})`);
    if (typeof typeName !== 'string' || !Object.prototype.hasOwnProperty.call(references, typeName)) {
      const shown = typeof typeName === 'string' ? quoted(typeName) : `a ${typeof typeName}`;
      throw new ValidationError(`${at}.__typename`, `${shown} is not an entity type of this subgraph (${entityNames})`);
    }
    const result = references[typeName]!(rep, context as never, at);
    return result instanceof Promise ? result.then((r) => withTypeName(r, typeName)) : withTypeName(result, typeName);
  };
  return (_source, { representations }, context) =>
    representations.map((representation, i) => {
      try {
        return one(representation, i, context);
      } catch (err) {
        // An Error as a list item is that item's error: graphql-js answers it null, the error at ["_entities", i].
        return err instanceof Error ? err : new Error(String(err));
      }
    });
}

/** `value` marked as a `typeName` (what @apollo/subgraph's resolver did: a copy when it says another type). */
function withTypeName(value: unknown, typeName: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('__typename' in value) return value.__typename === typeName ? value : { ...value, __typename: typeName };
  Object.defineProperty(value, '__typename', { value: typeName });
  return value;
}

/**
 * buildSubgraphSchema reads default values from the SDL (enum names, `YEARS`) before the resolver
 * map gives enum values their internal values ('y'), so a default stayed a name no enum value has:
 * introspection failed on it (`Enum "PeriodUnit" cannot represent value: "YEARS"`) and a resolver
 * would have received the name. Defaults of enum type are turned into the internal values here.
 */
function withInternalEnumDefaults(schema: GraphQLSchema): GraphQLSchema {
  const fix = (input: GraphQLArgument | GraphQLInputField) => {
    const named = getNamedType(input.type);
    if (!isEnumType(named) || input.defaultValue === undefined || input.defaultValue === null) return;
    const internal = (name: unknown) => (typeof name === 'string' ? (named.getValue(name)?.value ?? name) : name);
    input.defaultValue = Array.isArray(input.defaultValue) ? input.defaultValue.map(internal) : internal(input.defaultValue);
  };
  for (const type of Object.values(schema.getTypeMap())) {
    if (isInputObjectType(type)) Object.values(type.getFields()).forEach(fix);
    if (isObjectType(type) || isInterfaceType(type)) for (const field of Object.values(type.getFields())) field.args.forEach(fix);
  }
  return schema;
}
