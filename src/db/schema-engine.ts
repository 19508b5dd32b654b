/**
 * Prisma's WebAssembly schema engine (@prisma/schema-engine-wasm), loaded without the native
 * binary the Prisma CLI would download.
 *
 * The package's entry point does `import * as wasm from "./schema_engine_bg.wasm"`, which Node
 * cannot load, so we instantiate the .wasm by hand with the bindings module as its imports.
 * The engine talks to the database through a driver-adapter factory bound with
 * `bindMigrationAwareSqlAdapterFactory`; `fixAdapterFactory` works around two adapter defects:
 *  - @prisma/adapter-pg's executeScript splits the script on every ";" (breaks `$$` bodies and
 *    string literals) -> we send the whole script as one simple-protocol query, which PostgreSQL
 *    also runs as one implicit transaction, as the native engine does;
 *  - pglite-prisma-adapter's executeScript does not await `exec`, so a failing migration would be
 *    recorded as applied -> we await it.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import type { SqlDriverAdapter, SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm';

/** The Prisma schema engine's API (@prisma/schema-engine-wasm), as startSchemaEngine returns it. */
export type { SchemaEngine };

interface WasmApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}

let loading: Promise<typeof bg> | undefined;

/** Instantiates the engine's WebAssembly module once per process. */
export function loadSchemaEngineWasm(): Promise<typeof bg> {
  loading ??= (async () => {
    const require = createRequire(import.meta.url);
    const bindings = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
    const bytes = await readFile(path.join(path.dirname(bindings), 'schema_engine_bg.wasm'));
    // The project's lib settings carry no WebAssembly typings; describe the little we use.
    const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;
    // The engine arms 10 s guard timers that would keep a finished CLI alive: unref them.
    const imports: Record<string, unknown> = { ...bg };
    for (const name of Object.keys(imports).filter((n) => n.startsWith('__wbg_setTimeout_'))) {
      imports[name] = (fn: () => void, ms: number) => setTimeout(fn, ms >>> 0).unref();
    }
    const { instance } = await wasmApi.instantiate(bytes, { './schema_engine_bg.js': imports });
    const exports = instance.exports as { __wbindgen_start(): void };
    bg.__wbg_set_wasm(exports);
    exports.__wbindgen_start();
    return bg;
  })();
  return loading;
}

type ScriptFixable = SqlDriverAdapter & { onError(e: unknown): never };

/** Replaces executeScript on an adapter instance with one that runs the script whole and awaits it. */
function fixExecuteScript(adapter: SqlDriverAdapter, run: (script: string) => Promise<unknown>): SqlDriverAdapter {
  const a = adapter as ScriptFixable;
  a.executeScript = async (script: string) => {
    try {
      await run(script);
    } catch (e) {
      a.onError(e); // converts a driver error into a DriverAdapterError (throws)
    }
  };
  return a;
}

/** A driver-adapter factory prepared for the schema engine by fixAdapterFactory. */
export interface EngineFactory {
  /** The bound factory to hand to SchemaEngine.new. */
  factory: unknown;
  /** Disposes every adapter the engine opened (closes pools), once. */
  dispose(): Promise<void>;
}

/**
 * Wraps a driver-adapter factory (PrismaPg or PrismaPGlite) for the schema engine: fixes
 * executeScript, gives it an in-memory PGlite shadow database (adapter-pg cannot serve as one;
 * `opts.shadow` supplies it) and remembers what it opened so that `dispose` can close it.
 */
export function fixAdapterFactory(
  inner: SqlMigrationAwareDriverAdapterFactory,
  opts: { shadow?: () => Promise<PGlite> } = {},
): EngineFactory {
  const opened: SqlDriverAdapter[] = [];
  const shadows: PGlite[] = [];
  const fix = (adapter: SqlDriverAdapter): SqlDriverAdapter => {
    const driver = (adapter as unknown as { underlyingDriver?: () => { query(sql: string): Promise<unknown> } })
      .underlyingDriver?.();
    const client = (adapter as unknown as { client: { exec?(s: string): Promise<unknown>; query(s: string): Promise<unknown> } })
      .client;
    if (driver) return fixExecuteScript(adapter, (s) => driver.query(s));
    if (client?.exec) return fixExecuteScript(adapter, (s) => client.exec!(s));
    return adapter;
  };
  const wrapped: SqlMigrationAwareDriverAdapterFactory = {
    provider: inner.provider,
    adapterName: inner.adapterName,
    async connect() {
      const adapter = fix(await inner.connect());
      opened.push(adapter);
      return adapter;
    },
    async connectToShadowDb() {
      // A new PGlite takes seconds to initialise; callers doing several diffs pass clones of one.
      // Loaded here: only diffs need a shadow database, and applying migrations never does.
      const [{ PGlite: Shadow }, { PrismaPGlite }] = await Promise.all([import('@electric-sql/pglite'), import('pglite-prisma-adapter')]);
      const shadow = opts.shadow ? await opts.shadow() : new Shadow();
      shadows.push(shadow);
      const adapter = fix(await new PrismaPGlite(shadow).connect());
      return adapter;
    },
  };
  let disposed: Promise<void> | undefined;
  return {
    factory: bindMigrationAwareSqlAdapterFactory(wrapped),
    dispose() {
      disposed ??= (async () => {
        for (const a of opened) await a.dispose();
        for (const s of shadows) if (!s.closed) await s.close();
      })();
      return disposed;
    },
  };
}

/** A Prisma schema file handed to the schema engine: its path and its text. */
export interface SchemaFile {
  path: string;
  content: string;
}

/** Starts a schema engine over `factory` (see fixAdapterFactory). */
export async function startSchemaEngine(
  factory: EngineFactory,
  schemaFiles: SchemaFile[] = [],
  log: (line: string) => void = () => {},
): Promise<SchemaEngine> {
  const wasm = await loadSchemaEngineWasm();
  const datamodels = schemaFiles.length ? schemaFiles.map((f): [string, string] => [f.path, f.content]) : undefined;
  return wasm.SchemaEngine.new({ datamodels }, log, factory.factory as object);
}
