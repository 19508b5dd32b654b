#!/usr/bin/env node
/**
 * Generates the Prisma client into src/db/generated (git-ignored) unless it is already
 * generated from the current prisma/schema.prisma.
 *
 *   node scripts/prisma-generate.mjs               generate if missing or stale (prebuild, test global setup)
 *   node scripts/prisma-generate.mjs --force       always generate (npm run prisma:generate)
 *   node scripts/prisma-generate.mjs --if-present  as the first, but a no-op when the prisma CLI is
 *                                                  not installed, e.g. `npm ci --omit=dev` (postinstall)
 *
 * Plain JavaScript because it runs before anything is compiled. prisma.config.ts takes care of
 * the CLI's native-engine check.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2));

/**
 * The schema's SHA-256, written next to the client once it is generated from it. (The client
 * embeds its schema too, but as `prisma format` lays it out: comparing that with the file made a
 * schema not in that layout look stale at every run, and every `npm run` regenerated the client.)
 */
const stamp = path.join(root, 'src/db/generated/schema.sha256');
const schemaHash = () => createHash('sha256').update(readFileSync(path.join(root, 'prisma/schema.prisma'))).digest('hex');

function upToDate() {
  if (!existsSync(stamp) || !existsSync(path.join(root, 'src/db/generated/client.ts'))) return false;
  return readFileSync(stamp, 'utf8').trim() === schemaHash();
}

let cli;
try {
  cli = createRequire(path.join(root, 'package.json')).resolve('prisma/build/index.js');
} catch {
  if (args.has('--if-present')) {
    console.log('prisma CLI not installed: skipping client generation');
    process.exit(0);
  }
  console.error('prisma CLI not installed (it is a devDependency): run npm install');
  process.exit(1);
}

if (!args.has('--force') && upToDate()) process.exit(0);
const hash = schemaHash(); // the schema as it was when generation started
const run = spawnSync(process.execPath, [cli, 'generate'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status === 0) writeFileSync(stamp, `${hash}\n`);
process.exit(run.status ?? 1);
