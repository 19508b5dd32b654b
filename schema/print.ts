/**
 * Writes schema/schema.graphql and schema/federation/subgraph.cache.json from the type-graphql
 * classes: `npm run schema:print` (after build).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { freshSubgraphCache, printGatewaySchema } from './build.js';

// Runs from dist/schema/print.js; the files live in the source tree.
const target = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
writeFileSync(target, await printGatewaySchema());
console.log(`wrote ${target}`);
const cacheFile = fileURLToPath(new URL('../../schema/federation/subgraph.cache.json', import.meta.url));
writeFileSync(cacheFile, `${JSON.stringify(await freshSubgraphCache(), null, 1)}\n`);
console.log(`wrote ${cacheFile}`);
