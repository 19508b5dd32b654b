import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { printSubgraphSchema } from '@apollo/subgraph';
import { resolvers } from '../resolvers/index.js';
import { resolveContactReference } from './contact/contact.reference.js';
import { resolveDomainReference } from './domain/domain.reference.js';
import { buildFederatedSchema, type ReferenceResolvers } from './federation/subgraph.js';
import { resolveNameserverReference } from './host/nameserver.reference.js';
import { resolveRegistrarReference } from './registrar/registrar.reference.js';
import { guardArguments } from '../src/validation/guard.js';
import { attributeCommands } from '../src/commandlog/attribution.js';
import { acceptCalendarDates, rememberDateTimeParsing } from './common/date-time.js';

/** The entities other subgraphs can refer to, each with its `@key` (on the type class) and its reference resolver. */
const references: ReferenceResolvers = {
  Domain: resolveDomainReference,
  Contact: resolveContactReference,
  Nameserver: resolveNameserverReference,
  Registrar: resolveRegistrarReference,
};

/**
 * Builds the executable schema from the type-graphql classes, as an Apollo Federation 2
 * subgraph: the gateway's own API plus `_service { sdl }` and `_entities` for a federation router.
 * Every argument of every field is checked by src/validation/guard.ts before its resolver or
 * subscription runs; the DateTimeISO scalar remembers the strings it parsed and also takes a date
 * alone, 2028-12-02 (common/date-time.ts); each root field names the operation its upstream
 * commands are logged under (src/commandlog/attribution.ts).
 */
export async function buildGatewaySchema(): Promise<GraphQLSchema> {
  // Subscriptions bring their own streams (src/poll/stream.ts: replay + live); type-graphql still
  // insists on a PubSub, which stays unused.
  return attributeCommands(acceptCalendarDates(rememberDateTimeParsing(guardArguments(await buildFederatedSchema({ resolvers, validate: false, emitSchemaFile: false, pubSub: createPubSub() }, references)))));
}

/** The SDL checked in as schema/schema.graphql: the subgraph schema with its federation link and `@key` directives. */
export async function printGatewaySchema(): Promise<string> {
  return `${printSubgraphSchema(await buildGatewaySchema())}\n`;
}
