import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { buildSchema } from 'type-graphql';
import { resolvers } from '../resolvers/index.js';

/** Builds the executable schema from the type-graphql classes. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false });
}

/** The SDL checked in as schema/schema.graphql. */
export async function printGatewaySchema(): Promise<string> {
  return printSchema(await buildGatewaySchema()) + '\n';
}
