import 'reflect-metadata';
import { printSchema, type GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { buildSchema } from 'type-graphql';
import { resolvers } from '../resolvers/index.js';

/** Builds the executable schema from the type-graphql classes. */
export function buildGatewaySchema(): Promise<GraphQLSchema> {
  // Subscriptions bring their own streams (src/poll/stream.ts: replay + live); type-graphql still
  // insists on a PubSub, which stays unused.
  return buildSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: createPubSub() });
}

/** The SDL checked in as schema/schema.graphql. */
export async function printGatewaySchema(): Promise<string> {
  return printSchema(await buildGatewaySchema()) + '\n';
}
