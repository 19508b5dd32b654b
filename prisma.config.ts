/**
 * Prisma CLI configuration.
 *
 * The CLI looks for a native schema engine, which it would download from binaries.prisma.sh
 * (unreachable here and on many build machines), before running any command. `generate`,
 * `validate` and `format` never use that engine, so for those commands only we point
 * PRISMA_SCHEMA_ENGINE_BINARY at an existing file. Do not do this for `migrate`: with a stub,
 * `prisma migrate deploy` exits 0 and silently applies nothing. Migrations are applied by the
 * gateway itself at start (src/db/migrate.ts, Prisma's WebAssembly schema engine) and written
 * with `npm run prisma:migration -- <name>`.
 */
import path from 'node:path';
import { defineConfig } from 'prisma/config';

const command = process.argv.slice(2).find((arg) => !arg.startsWith('-'));
if (command && ['generate', 'validate', 'format'].includes(command)) {
  process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.resolve('package.json');
}

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  ...(process.env.DATABASE_URL ? { datasource: { url: process.env.DATABASE_URL } } : {}),
});
