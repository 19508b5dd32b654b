/** Writes schema/schema.graphql from the type-graphql classes: `npm run schema:print` (after build). */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { printGatewaySchema } from './build.js';

// Runs from dist/schema/print.js; the SDL lives in the source tree.
const target = fileURLToPath(new URL('../../schema/schema.graphql', import.meta.url));
writeFileSync(target, await printGatewaySchema());
console.log(`wrote ${target}`);
