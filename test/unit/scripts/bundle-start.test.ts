/**
 * What the bundled gateway (what `npm start` runs) no longer does at its start, which a restarted
 * instance's bulk runner waited behind (bench:bulk item 4): scripts/bundle.mjs's queryCompilerWasm
 * carries Prisma's query compiler as the WebAssembly binary beside the chunks, read and compiled
 * asynchronously, instead of a 2.3 MB JavaScript module holding it in base64 (50-67 ms to parse,
 * 11-15 ms to decode, a synchronous compile); its pgOnNode answers pg's "is this a Cloudflare
 * Worker?" at once instead of making a fetch Response (which loaded Node's undici: 52 ms). This
 * reads the bundle the tests run (compiledGateway: the same bundling as `npm run build`).
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { compiledGateway } from '../../helpers/processes.js';

/** Node's WebAssembly global (the project's TypeScript libs do not declare it). */
const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean; compile(bytes: Uint8Array): Promise<object> } }).WebAssembly;

it("the bundle carries Prisma's query compiler as a WebAssembly file its client compiles, and pg never asks for a fetch Response", { timeout: 120_000 }, async () => {
  const bundle = path.join(await compiledGateway(), 'bundle');
  const names = await readdir(bundle);
  const chunks = new Map<string, string>();
  for (const f of names.filter((n) => n.endsWith('.js'))) chunks.set(f, await readFile(path.join(bundle, f), 'utf8'));

  // The binary is there and is a WebAssembly module; no chunk holds it in base64 any more.
  const wasm = await readFile(path.join(bundle, 'query_compiler_small_bg.postgresql.wasm'));
  expect(wasmApi.validate(wasm)).toBe(true);
  expect(Object.prototype.toString.call(await wasmApi.compile(wasm))).toBe('[object WebAssembly.Module]');
  for (const [name, code] of chunks) expect(code, name).not.toMatch(/^\/\/ node_modules\/@prisma\/client\/runtime\/query_compiler_small_bg\.postgresql\.wasm-base64/m);

  // The generated client's loader reads that file beside its chunk and compiles it off the thread.
  const client = [...chunks].filter(([, code]) => code.includes('getQueryCompilerWasmModule'));
  expect(client.length, 'chunks with the generated client').toBeGreaterThan(0);
  for (const [name, code] of client) {
    expect(code, name).toMatch(/getQueryCompilerWasmModule: async \(\) => \{\s*return WebAssembly\.compile\(await \(await import\("node:fs\/promises"\)\)\.readFile\(new URL\("\.\/query_compiler_small_bg\.postgresql\.wasm", import\.meta\.url\)\)\);/);
    expect(code, name).not.toContain('decodeBase64AsWasm(wasm)');
  }

  // pg's probe returns false before it could construct a Response (which makes Node load undici).
  const pg = [...chunks].filter(([, code]) => code.includes('function isCloudflareRuntime()'));
  expect(pg.length, 'chunks with pg').toBeGreaterThan(0);
  for (const [name, code] of pg) {
    expect(code, name).toMatch(/function isCloudflareRuntime\(\) \{\s*return false;\s*\}/);
    expect(code, name).not.toContain('new Response(null, { cf:');
  }
});
