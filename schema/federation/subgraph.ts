import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { getNamedType, isEnumType, isInputObjectType, isInterfaceType, isObjectType, parse, type GraphQLArgument, type GraphQLInputField, type GraphQLSchema } from 'graphql';
import { buildSchema, createResolversMap, type BuildSchemaOptions } from 'type-graphql';

/**
 * The Federation 2 link the subgraph declares (https://specs.apollo.dev/federation/v2.3): v2.3 is
 * understood by Apollo Router 1.x and 2.x, Apollo Gateway 2.3+ and the other Federation 2 routers.
 * Only `@key` is imported; the gateway owns no field another subgraph shares.
 */
export const FEDERATION_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

/** `__resolveReference(representation, context)` per entity type name (the types with `@key`). */
export type ReferenceResolvers = Record<string, (representation: Record<string, unknown>, context: never) => unknown>;

/**
 * Builds an Apollo Federation 2 subgraph schema (`_service`, `_entities`, `_Any`, `@link`) from
 * type-graphql classes: the type-graphql schema is printed with its `@Directive` annotations
 * (`@key`), rebuilt by @apollo/subgraph's buildSubgraphSchema, and given back every resolver
 * type-graphql generated (fields, subscriptions, scalars, enum values) plus one
 * `__resolveReference` per entity. Follows type-graphql's examples/apollo-federation-2 helper.
 */
export async function buildFederatedSchema(options: BuildSchemaOptions, references: ReferenceResolvers): Promise<GraphQLSchema> {
  const schema = await buildSchema(options);
  const resolvers = createResolversMap(schema) as GraphQLResolverMap<unknown>;
  for (const [typeName, resolveReference] of Object.entries(references)) {
    if (!schema.getType(typeName)) throw new Error(`reference resolver for ${typeName}, which the schema does not have`);
    resolvers[typeName] = { ...resolvers[typeName], __resolveReference: resolveReference } as GraphQLResolverMap<unknown>[string];
  }
  return withInternalEnumDefaults(buildSubgraphSchema({ typeDefs: parse(`${FEDERATION_LINK}\n\n${printSchemaWithDirectives(schema)}`), resolvers }));
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
