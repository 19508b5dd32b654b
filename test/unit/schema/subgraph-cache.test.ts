import 'reflect-metadata';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { printSchemaWithDirectives } from '@graphql-tools/utils';
import { execute, getIntrospectionQuery, isEnumType, isObjectType, parse, type GraphQLSchema } from 'graphql';
import { buildGatewaySchema, freshSubgraphCache } from '../../../schema/build.js';
import { createPubSub } from '@graphql-yoga/subscription';
import { resolvers } from '../../../resolvers/index.js';
import { makeSubgraph } from '../../../schema/federation/subgraph.js';
import { findSubgraphCache, readSubgraphCache, subgraphInputKey } from '../../../schema/federation/subgraph-cache.js';

const committedFile = new URL('../../../schema/federation/subgraph.cache.json', import.meta.url);

/** Per type, which fields have a resolver / a subscribe function, and each enum value's internal value: what resolvers attach. */
function attached(schema: GraphQLSchema) {
  const out: Record<string, unknown> = {};
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isObjectType(type)) out[type.name] = Object.values(type.getFields()).map((f) => `${f.name}:${typeof f.resolve}:${typeof f.subscribe}`);
    if (isEnumType(type)) out[type.name] = type.getValues().map((v) => `${v.name}=${JSON.stringify(v.value)}`);
  }
  return out;
}

describe('schema/federation/subgraph.cache.json: what @apollo/subgraph made of the schema, reused at start', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'rgw-subgraph-cache-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('was made from the type-graphql classes as they are (run `npm run schema:print` when this fails)', async () => {
    const committed = JSON.parse(readFileSync(committedFile, 'utf8'));
    expect(committed).toEqual(await freshSubgraphCache());
  });

  it('gives the schema buildSubgraphSchema builds: the same SDL, the same resolvers and enum values, the same answers to introspection and to _service', async () => {
    // The committed file is the one a start reads.
    expect((await makeSubgraph({ resolvers, validate: false, emitSchemaFile: false, pubSub: createPubSub() }, true)).cached).toBe(true);
    const [cached, built] = await Promise.all([buildGatewaySchema(), buildGatewaySchema({ cache: false })]);
    expect(printSchemaWithDirectives(cached)).toBe(printSchemaWithDirectives(built));
    expect(attached(cached)).toEqual(attached(built));
    // Introspection reads every default value through its type (an enum default left a name fails here).
    const ask = async (schema: GraphQLSchema, query: string) => JSON.stringify(await execute({ schema, document: parse(query), contextValue: {} }));
    for (const query of [getIntrospectionQuery({ descriptions: true, directiveIsRepeatable: true, specifiedByUrl: true }), '{ _service { sdl } }']) {
      const answer = await ask(cached, query);
      expect(answer).not.toContain('"errors"');
      expect(answer).toBe(await ask(built, query));
    }
    // The router's SDL carries the entities' keys.
    expect(await ask(cached, '{ _service { sdl } }')).toContain('@key(fields: \\"name\\")');
  });

  it('is used only for the very SDL it was made from; a missing, unreadable or other cache is not used', () => {
    const file = findSubgraphCache();
    expect(file && path.resolve(file)).toBe(path.resolve(new URL(committedFile).pathname));
    const cache = JSON.parse(readFileSync(committedFile, 'utf8'));
    const other = path.join(dir, 'other.json');
    writeFileSync(other, JSON.stringify({ ...cache, input: subgraphInputKey('type Query { a: Int }') }));
    expect(readSubgraphCache('type Query { a: Int }', other)).toEqual({ ...cache, input: subgraphInputKey('type Query { a: Int }') });
    expect(readSubgraphCache('type Query { b: Int }', other)).toBeUndefined();
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '{"input": "');
    expect(readSubgraphCache('type Query { a: Int }', broken)).toBeUndefined();
    writeFileSync(broken, JSON.stringify({ input: subgraphInputKey('type Query { a: Int }'), executable: 1 }));
    expect(readSubgraphCache('type Query { a: Int }', broken)).toBeUndefined();
    expect(readSubgraphCache('type Query { a: Int }', path.join(dir, 'none.json'))).toBeUndefined();
    expect(findSubgraphCache(path.parse(dir).root)).toBeUndefined();
  });
});
