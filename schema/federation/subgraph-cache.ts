import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import type { GraphQLSchema } from 'graphql';

/**
 * What @apollo/subgraph's buildSubgraphSchema made of the gateway's SDL, kept so that a start
 * need not make it again: buildSubgraphSchema validates and expands the SDL through
 * @apollo/federation-internals (a 670 kB bundle chunk to load, then some 100 ms on an idle
 * 2-core machine), on the one thread a restarted gateway's bulk runner also needs (bench/bulk.mjs
 * item 4). Rebuilding the same executable schema from its printed SDL with graphql-js takes 5-20 ms.
 *
 * The file is schema/federation/subgraph.cache.json, written by `npm run schema:print` with
 * schema/schema.graphql and checked by test/unit/schema/subgraph-cache.test.ts. It is only
 * ever used for the very SDL it was made from: `input` is the SHA-256 of that SDL, so a class
 * changed since is built the long way (correct, only slower) until the file is written again.
 */
export interface SubgraphCache {
  /** SHA-256 (hex) of the SDL given to buildSubgraphSchema: the federation link and the type-graphql schema printed with its directives. */
  input: string;
  /** The executable subgraph schema as SDL (printSchemaWithDirectives): the gateway's types plus `_service`, `_entities`, `_Any`, `_Entity` and the federation directives. */
  executable: string;
  /** What `_service { sdl }` answers a federation router (@apollo/federation-internals' printSchema of the subgraph). */
  service: string;
}

/** Where the cache is kept, relative to the repository: found walking up from this module (src, dist/ and the bundle alike). */
export const SUBGRAPH_CACHE_PATH = path.join('schema', 'federation', 'subgraph.cache.json');

/** SHA-256 (hex) of the SDL given to buildSubgraphSchema: SubgraphCache.input. */
export function subgraphInputKey(typeDefs: string): string {
  return createHash('sha256').update(typeDefs).digest('hex');
}

/** The cache file above `from` (this module's folder by default), or undefined when there is none. */
export function findSubgraphCache(from = path.dirname(fileURLToPath(import.meta.url))): string | undefined {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, SUBGRAPH_CACHE_PATH);
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * The cache made from exactly `typeDefs`, or undefined: no file, a file that does not read as a
 * SubgraphCache, or one made from other SDL (then the caller builds the subgraph itself).
 */
export function readSubgraphCache(typeDefs: string, file = findSubgraphCache()): SubgraphCache | undefined {
  if (!file) return undefined;
  let cache: Partial<SubgraphCache>;
  try {
    cache = JSON.parse(readFileSync(file, 'utf8')) as Partial<SubgraphCache>;
  } catch {
    return undefined;
  }
  const ok = typeof cache.input === 'string' && typeof cache.executable === 'string' && typeof cache.service === 'string';
  return ok && cache.input === subgraphInputKey(typeDefs) ? (cache as SubgraphCache) : undefined;
}

/**
 * The cache of `subgraph`, the schema buildSubgraphSchema made from `typeDefs` (before any
 * resolver of the gateway's replaced one of its own): its `_service` resolver gives the SDL a
 * router is answered.
 */
export function subgraphCacheOf(typeDefs: string, subgraph: GraphQLSchema): SubgraphCache {
  const service = subgraph.getQueryType()?.getFields()._service?.resolve?.(undefined, {}, undefined, undefined as never) as { sdl?: unknown } | undefined;
  if (typeof service?.sdl !== 'string') throw new Error('the subgraph schema has no _service { sdl } to cache');
  return { input: subgraphInputKey(typeDefs), executable: printSchemaWithDirectives(subgraph), service: service.sdl };
}
