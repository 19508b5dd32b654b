/**
 * The gateway's production build: its compiled modules bundled with rolldown (the bundler Vite 8
 * uses) into a few dozen chunks, which `npm start` runs (`node dist/bundle/main.js`).
 *
 * Why: a restarted gateway spent most of its first 2 s loading some 1,500 module files (for each:
 * stat, read, cjs-module-lexer, compile). Measured (bench/bulk.mjs item 4: the gateway SIGKILLed
 * half way through a 10,000-item bulkRenew and restarted, PostgreSQL, 3 alternating runs each),
 * the bundle cut kill -> /healthz from 2.3-2.5 s to 1.7-1.9 s, and the throughput the restart
 * lost from 2.40-2.74 s to 1.87-2.32 s.
 *
 * What it bundles is already compiled JavaScript: `npm run build` bundles tsc's output (dist/src),
 * the tests bundle the same tree compiled by Oxc (test/helpers/processes.ts), both through
 * bundleGateway below, so the two cannot drift. Dynamic imports become chunks, loaded when the
 * code reaches them as before (src/server.ts loads the HTTP side after the bulk runner started).
 * Not minified: function and class names stay in stack traces.
 *
 * Left outside the bundle (EXTERNAL), loaded from node_modules at run time as before:
 * - @electric-sql/pglite: loaded by URL into worker threads (src/db/pglite-thread.ts, the embedded
 *   database's initdb in src/db/client.ts), so the gateway's thread must load the very same
 *   modules (its classes and errors are the ones the thread's answers are parsed with), and it
 *   reads its WebAssembly and data files from beside its own modules;
 * - pglite-prisma-adapter: the embedded database's Prisma adapter, built on that same pglite;
 * - @prisma/schema-engine-wasm and libxml2-wasm: WebAssembly files read from disk beside their
 *   modules (the schema engine's path comes from require.resolve in src/db/schema-engine.ts);
 * - @graphql-yoga/render-graphiql: loaded by URL into the worker that builds the GraphiQL page
 *   (src/http/graphiql.ts), some 45 MiB of inlined editor code that must not enter the gateway;
 * - class-validator: an optional peer of type-graphql (the gateway builds its schema with
 *   `validate: false`), imported only if validation were turned on.
 * ioredis and rate-limiter-flexible are required through createRequire (src/core/lazy-modules.ts),
 * which a bundler does not follow: they too load from node_modules, on first use.
 *
 * So the bundle runs where node_modules is (production dependencies), beside the repository's
 * prisma/migrations and src/sandbox/epp/xsd, which the gateway finds walking up from its modules.
 *
 * Worker entries: code that runs in a worker thread by importing a module of the gateway's own
 * (src/db/migrate.ts: the schema engine migrates PostgreSQL in a worker) cannot import a chunk,
 * whose exports are renamed and whose imports may include main.js (whose top level starts a
 * gateway). Each such module is bundled again as an entry of its own, in a separate build with no
 * shared chunks, as `<name>.js` beside the chunks; the module imports `./<name>.js` (see
 * WORKER_ENTRIES).
 *
 * Usage: `node scripts/bundle.mjs [--sourcemap]` (part of `npm run build`, after tsc): dist/ ->
 * dist/bundle; `npm run build -- --sourcemap` passes the flag on.
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

/** Packages left outside the bundle (see the header for why). */
export const EXTERNAL = [/^@electric-sql\/pglite(\/|$)/, /^pglite-prisma-adapter(\/|$)/, /^@prisma\/schema-engine-wasm(\/|$)/, /^libxml2-wasm(\/|$)/, /^@graphql-yoga\/render-graphiql(\/|$)/, /^class-validator(\/|$)/];

/**
 * With `sourcemap`: each compiled module of the gateway is read with the source map its compiler
 * wrote beside it (tsc: `<file>.js.map`), so that the bundle's maps lead to the TypeScript sources.
 */
const inputSourceMaps = {
  name: 'input-source-maps',
  /** @param {string} id */
  async load(id) {
    if (!id.endsWith('.js') || id.includes(`${path.sep}node_modules${path.sep}`) || !existsSync(`${id}.map`)) return null;
    return { code: await readFile(id, 'utf8'), map: JSON.parse(await readFile(`${id}.map`, 'utf8')) };
  },
};

/**
 * Modules run in worker threads by URL, each bundled on its own as `<name>.js` in the output
 * folder, with its exports' names kept: name -> path in the compiled tree.
 */
export const WORKER_ENTRIES = { migrate: 'src/db/migrate.js' };

/**
 * Bundles the compiled gateway under `compiled` (a folder holding src/main.js and the rest of the
 * compiled tree: tsc's dist/ or the tests' Oxc output) into `outDir`, which is emptied first:
 * `main.js` (the gateway, `node <outDir>/main.js`), its chunks (`<name>-<hash>.js`) and one file
 * per WORKER_ENTRIES entry. `sourcemap`: also write `.map` files, leading to the TypeScript
 * sources where the compiled tree has maps (tsc's), for `node --enable-source-maps` (default
 * false: see the README, "Production start", for what they cost). Resolves with the files written
 * (names relative to outDir); rejects when rolldown reports an error, or a worker entry lacks the
 * exports of its module or imports a file of the bundle. Rolldown's warnings go to stderr (there
 * were none when this was written).
 *
 * @param {{ compiled: string; outDir: string; sourcemap?: boolean }} opts
 * @returns {Promise<string[]>}
 */
export async function bundleGateway({ compiled, outDir, sourcemap = false }) {
  await rm(outDir, { recursive: true, force: true });
  const common = {
    platform: /** @type {const} */ ('node'),
    external: EXTERNAL,
    plugins: sourcemap ? [inputSourceMaps] : [],
  };
  const output = { dir: outDir, format: /** @type {const} */ ('esm'), sourcemap, entryFileNames: '[name].js', chunkFileNames: '[name]-[hash].js' };
  const main = await build({ ...common, input: { main: path.join(compiled, 'src/main.js') }, output });
  const files = main.output.map((o) => o.fileName);
  for (const [name, module] of Object.entries(WORKER_ENTRIES)) {
    const worker = await build({
      ...common,
      input: { [name]: path.join(compiled, module) },
      preserveEntrySignatures: 'strict',
      output: { ...output, codeSplitting: false },
    });
    const entry = worker.output.find((o) => o.type === 'chunk' && o.isEntry);
    // Self-contained: it imports nothing of the bundle (least of all main.js), only packages and Node's modules.
    if (!entry || entry.type !== 'chunk' || entry.fileName !== `${name}.js` || entry.exports.length === 0 || [...entry.imports, ...entry.dynamicImports].some((i) => !/^(node:|@?[a-z])/.test(i))) {
      throw new Error(`bundle: worker entry ${name} (${module}) was not written as a self-contained ${name}.js with its exports`);
    }
    files.push(...worker.output.map((o) => o.fileName));
  }
  return files;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  // Silent on success, as tsc is: `npm run key:create` and the like build first, and their output is the user's.
  await bundleGateway({ compiled: path.join(root, 'dist'), outDir: path.join(root, 'dist/bundle'), sourcemap: process.argv.includes('--sourcemap') });
}
