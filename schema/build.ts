import 'reflect-metadata';
import type { GraphQLSchema } from 'graphql';
import { createPubSub } from '@graphql-yoga/subscription';
import { resolvers } from '../resolvers/index.js';
import { resolveContactReference } from './contact/contact.reference.js';
import { resolveDomainReference } from './domain/domain.reference.js';
import { buildFederatedSchema, makeSubgraph, type ReferenceResolvers } from './federation/subgraph.js';
import type { SubgraphCache } from './federation/subgraph-cache.js';
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
 * type-graphql's options for the gateway's schema. Subscriptions bring their own streams
 * (src/poll/stream.ts: replay + live); type-graphql still insists on a PubSub, which stays unused.
 * `check`: type-graphql's check of the schema it built, an introspection query run over it (some
 * 55 ms of a start's one thread on a 2-core machine): on where the schema is printed and the
 * subgraph cache made (`npm run schema:print`, their tests), off at a gateway's start, whose
 * schema is checked by Apollo Server's start (graphql-js assertValidSchema) and is the one those
 * tests introspect.
 */
const schemaOptions = (check: boolean) => ({ resolvers, validate: false, emitSchemaFile: false, pubSub: createPubSub(), skipCheck: !check }) as const;

/**
 * Builds the executable schema from the type-graphql classes, as an Apollo Federation 2
 * subgraph: the gateway's own API plus `_service { sdl }` and `_entities` for a federation router
 * (its federation part from schema/federation/subgraph.cache.json when that was made from the
 * same classes; `cache: false` never reads it). Every argument of every field is checked by
 * src/validation/guard.ts before its resolver or subscription runs; the DateTimeISO scalar
 * remembers the strings it parsed and also takes a date alone, 2028-12-02 (common/date-time.ts);
 * each root field names the operation its upstream commands are logged under (src/commandlog/attribution.ts).
 */
export async function buildGatewaySchema({ cache = true }: { cache?: boolean } = {}): Promise<GraphQLSchema> {
  // Built afresh (no cache: the schema's printing and the cache's test) it is checked too.
  return attributeCommands(acceptCalendarDates(rememberDateTimeParsing(guardArguments(await buildFederatedSchema(schemaOptions(!cache), references, { cache })))));
}

/** The SDL checked in as schema/schema.graphql: the subgraph schema with its federation link and `@key` directives (built without the cache). */
export async function printGatewaySchema(): Promise<string> {
  const { printSubgraphSchema } = await import('@apollo/subgraph');
  return `${printSubgraphSchema(await buildGatewaySchema({ cache: false }))}\n`;
}

/** What schema/federation/subgraph.cache.json holds for the classes as they are: @apollo/subgraph's subgraph built afresh (the file itself is not read). */
export async function freshSubgraphCache(): Promise<SubgraphCache> {
  return (await makeSubgraph(schemaOptions(true), false)).cache;
}
