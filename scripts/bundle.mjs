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
 * Publishing (publishBundle): a build writes a fresh folder beside the bundle (`dist/bundle.<id>`,
 * filled in `dist/bundle.building-*` first), and `dist/bundle` is a symbolic link to the current
 * one, replaced with a rename (atomic): `dist/bundle/main.js` is never missing, not even for the
 * instant between two renames, and a build that fails leaves the link, and the bundle it names, as
 * they were. Before, the build deleted dist/bundle first, and for the 2-3 s of bundling an
 * instance (re)started from it found no main.js. Node loads a module by its real path, so a
 * running gateway keeps loading its chunks (some only when first used) from the folder it started
 * from, not from a newer build's: the folders of the KEEP_PREVIOUS builds before the current
 * one are kept for it, older ones removed.
 *
 * Usage: `node scripts/bundle.mjs [--sourcemap]` (part of `npm run build`, scripts/build.mjs, after
 * tsc): dist/ -> dist/bundle; `npm run build -- --sourcemap` passes the flag on.
 */
import { existsSync, lstatSync } from 'node:fs';
import { mkdtemp, readdir, readFile, readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { createRequire } from 'node:module';
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
 * @apollo/utils.createhash (Apollo Server's hash of every query document, its schema hash) uses
 * Node's crypto when `module.require` exists, else sha.js, a SHA-256 in JavaScript. In a bundle's
 * CommonJS wrapper `module` has no `require`, so the bundled gateway hashed each document in
 * JavaScript, before parsing or any limit: a 1.9 MB document of blanks (under the 2 MB body limit)
 * took 75 ms to answer, the thread held the while. This resolves the package to Node's
 * crypto.createHash, which it uses unbundled.
 */
const nodeCreateHash = {
  name: 'node-create-hash',
  /** @param {string} id */
  resolveId(id) {
    return id === '@apollo/utils.createhash' ? '\0node-create-hash' : null;
  },
  /** @param {string} id */
  load(id) {
    return id === '\0node-create-hash' ? "export { createHash } from 'node:crypto';" : null;
  },
};

/**
 * pg (node_modules/pg/lib/stream.js) asks, when it is first imported, whether it runs in a
 * Cloudflare Worker by making a `new Response(...)`, which makes Node load its whole fetch
 * implementation (undici): 52 ms of the gateway's thread in a CPU profile of its start on
 * PostgreSQL, before the database could even be asked anything. The gateway runs on Node.js
 * only: in the bundle the question answers false at once. Matched exactly, as queryCompilerWasm.
 */
const pgOnNode = {
  name: 'pg-on-node',
  /** @param {string} code @param {string} id */
  transform(code, id) {
    if (!/[\\/]node_modules[\\/]pg[\\/]lib[\\/]stream\.js$/.test(id)) return null;
    const question = 'function isCloudflareRuntime() {';
    if (!code.includes(question)) throw new Error(`bundle: pg's ${id} no longer has isCloudflareRuntime as scripts/bundle.mjs expects (pgOnNode): update the plugin`);
    return code.replace(question, `${question}\n  return false; // the gateway runs on Node.js (scripts/bundle.mjs, pgOnNode)`);
  },
};

/** The file the bundle carries Prisma's query compiler in, beside its chunks (queryCompilerWasm). */
export const QUERY_COMPILER_WASM = 'query_compiler_small_bg.postgresql.wasm';
/** The module of @prisma/client that holds the query compiler in base64 (what the generated client imports). */
const QUERY_COMPILER_BASE64 = '@prisma/client/runtime/query_compiler_small_bg.postgresql.wasm-base64.mjs';

/**
 * Prisma's query compiler is a WebAssembly module (1.7 MB) that @prisma/client ships as a
 * JavaScript module holding it in base64 (2.3 MB), which the generated client
 * (src/db/generated/internal/class.ts) imports and decodes at its first query: on the development
 * machine 50-67 ms of the gateway's thread reading and parsing that module, 11-15 ms decoding it,
 * 10 ms compiling it (synchronously, new WebAssembly.Module). A restarted instance's first query
 * comes while its bulk runner logs in and reconciles (src/server.ts), whose answers wait on this
 * thread meanwhile. The bundle carries the binary instead, written once beside the chunks as
 * QUERY_COMPILER_WASM (decoded here, at build time), and the generated client's loader reads that
 * file and compiles it asynchronously (WebAssembly.compile: V8 compiles off this thread). The
 * loader's code is matched exactly: a generated client that no longer has it (a Prisma upgrade)
 * fails the build, so that this is looked at again rather than silently dropped.
 */
const queryCompilerWasm = {
  name: 'query-compiler-wasm',
  /** Whether this build bundles the generated client (the worker entries' builds do not): only then is the file written. */
  loads: false,
  buildStart() {
    queryCompilerWasm.loads = false;
  },
  /** @param {string} code @param {string} id */
  transform(code, id) {
    if (!/[\\/]db[\\/]generated[\\/]internal[\\/]class\.js$/.test(id)) return null;
    const loader = /const \{ wasm \} = await import\(["']@prisma\/client\/runtime\/query_compiler_small_bg\.postgresql\.wasm-base64\.mjs["']\);?\s*return await decodeBase64AsWasm\(wasm\);?/;
    if (!loader.test(code)) throw new Error(`bundle: the generated Prisma client (${id}) no longer loads its query compiler as scripts/bundle.mjs expects (queryCompilerWasm): update the plugin`);
    queryCompilerWasm.loads = true;
    return code.replace(loader, `return WebAssembly.compile(await (await import('node:fs/promises')).readFile(new URL('./${QUERY_COMPILER_WASM}', import.meta.url)));`);
  },
  async generateBundle() {
    if (!queryCompilerWasm.loads) return;
    const { wasm } = await import(createRequire(fileURLToPath(import.meta.url)).resolve(QUERY_COMPILER_BASE64));
    this.emitFile({ type: 'asset', fileName: QUERY_COMPILER_WASM, source: Buffer.from(wasm, 'base64') });
  },
};

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
    plugins: sourcemap ? [nodeCreateHash, pgOnNode, queryCompilerWasm, inputSourceMaps] : [nodeCreateHash, pgOnNode, queryCompilerWasm],
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

/** Bundles of earlier builds kept beside the current one, for gateways still running from them (see the header). */
export const KEEP_PREVIOUS = 2;

/** An unfinished build folder (`<bundle>.building-*`) this old is one whose build died: the next publish removes it. */
const ABANDONED_MS = 3_600_000;

/**
 * Makes `built` (a finished bundle folder, in the same folder as `bundleDir` and named
 * `<basename of bundleDir>.<id>`) the one `bundleDir` names: `bundleDir` becomes a relative
 * symbolic link to it, put in place by renaming a new link over the old one (rename(2) replaces
 * atomically, so `<bundleDir>/main.js` is there before, during and after). A `bundleDir` that is
 * still a real folder (a build before this one) is first renamed to `<bundleDir>.<id>` and kept
 * like any previous bundle: only then, once, is there an instant (between two renames) without it.
 * Then removes the bundle folders older than the newest KEEP_PREVIOUS before `built`, and
 * unfinished build folders older than an hour. Resolves with the folders removed (paths).
 *
 * @param {string} bundleDir e.g. `<repo>/dist/bundle`
 * @param {string} built e.g. `<repo>/dist/bundle.m1x2y3z4-ab12`
 * @returns {Promise<string[]>}
 */
export async function publishBundle(bundleDir, built) {
  const parent = path.dirname(bundleDir);
  const base = path.basename(bundleDir);
  if (path.dirname(built) !== parent || !path.basename(built).startsWith(`${base}.`)) throw new Error(`bundle: ${built} is not a ${base}.<id> folder beside ${bundleDir}`);
  const current = lstatSync(bundleDir, { throwIfNoEntry: false });
  if (current?.isDirectory()) await rename(bundleDir, path.join(parent, `${base}.${bundleId()}`));
  const link = path.join(parent, `${base}.link-${bundleId()}`);
  await symlink(path.basename(built), link, 'dir');
  await rename(link, bundleDir);

  const removed = [];
  const kept = [];
  for (const name of await readdir(parent)) {
    if (!name.startsWith(`${base}.`) || name === path.basename(built)) continue;
    const p = path.join(parent, name);
    const s = await stat(p).catch(() => null);
    if (!s?.isDirectory()) continue;
    if (name.startsWith(`${base}.building-`)) {
      if (Date.now() - s.mtimeMs > ABANDONED_MS) removed.push(p);
    } else if (!name.startsWith(`${base}.link-`)) kept.push({ p, id: name });
  }
  // Ids begin with the time in base 36, of fixed width until 2059: by name is by age, newest first.
  kept.sort((a, b) => (a.id < b.id ? 1 : -1));
  removed.push(...kept.slice(KEEP_PREVIOUS).map((k) => k.p));
  for (const p of removed) await rm(p, { recursive: true, force: true });
  return removed;
}

/** A new bundle folder's id: the time (ms, base 36, so that names sort by age) and a random part. */
function bundleId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
}

/**
 * Bundles `compiled` (as bundleGateway) into a new folder beside `bundleDir` and publishes it there
 * (publishBundle): `<bundleDir>/main.js` stays the previous build's until the new one is complete,
 * and stays so when bundling fails (the unfinished folder is removed, the error passed on).
 * Resolves with the new folder's path.
 *
 * @param {{ compiled: string; bundleDir: string; sourcemap?: boolean }} opts
 * @returns {Promise<string>}
 */
export async function buildBundle({ compiled, bundleDir, sourcemap = false }) {
  const building = await mkdtemp(`${bundleDir}.building-`);
  try {
    await bundleGateway({ compiled, outDir: building, sourcemap });
    const built = `${bundleDir}.${bundleId()}`;
    await rename(building, built);
    await publishBundle(bundleDir, built);
    return built;
  } finally {
    await rm(building, { recursive: true, force: true });
  }
}

/** The folder `bundleDir` names now (its link's target, absolute), or bundleDir itself when it is a real folder; undefined when absent. */
export async function currentBundle(bundleDir) {
  const s = lstatSync(bundleDir, { throwIfNoEntry: false });
  if (!s) return undefined;
  return s.isSymbolicLink() ? path.resolve(path.dirname(bundleDir), await readlink(bundleDir)) : bundleDir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  // Silent on success, as tsc is: `npm run key:create` and the like build first, and their output is the user's.
  await buildBundle({ compiled: path.join(root, 'dist'), bundleDir: path.join(root, 'dist/bundle'), sourcemap: process.argv.includes('--sourcemap') });
}
