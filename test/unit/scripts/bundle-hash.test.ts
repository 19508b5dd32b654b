/**
 * The bundled gateway (what `npm start` runs) hashes query documents with Node's crypto, as the
 * unbundled one does. @apollo/utils.createhash picks crypto only when `module.require` exists;
 * inside the bundle's CommonJS wrapper it does not, and Apollo's hash of every document (taken
 * before parsing or any limit) ran in sha.js, a SHA-256 in JavaScript: a 1.9 MB document of blanks
 * took 75 ms to answer instead of about 50, the thread held meanwhile. scripts/bundle.mjs resolves
 * the package to crypto.createHash (its nodeCreateHash plugin); this reads the bundle the tests
 * run (compiledGateway: the same bundling) for what Apollo's document hash calls.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { expect, it } from 'vitest';
import { compiledGateway } from '../../helpers/processes.js';

it("Apollo's document hash in the bundle is Node's crypto.createHash; no SHA-256 in JavaScript is bundled", { timeout: 120_000 }, async () => {
  const bundle = path.join(await compiledGateway(), 'bundle');
  const chunks = new Map<string, string>();
  for (const f of (await readdir(bundle)).filter((n) => n.endsWith('.js'))) chunks.set(f, await readFile(path.join(bundle, f), 'utf8'));

  // Neither the package's fallback (sha.js) nor the package itself is in the bundle.
  for (const [name, code] of chunks) expect(code, name).not.toMatch(/^\/\/ node_modules\/(sha\.js|@apollo\/utils\.createhash)\//m);

  // requestPipeline's computeQueryHash calls the createHash its chunk imports, from a chunk that is Node's.
  const pipeline = [...chunks].find(([, code]) => code.includes('function computeQueryHash(query)'));
  expect(pipeline, 'the chunk with Apollo Server requestPipeline').toBeDefined();
  const [, code] = pipeline!;
  expect(code).toMatch(/function computeQueryHash\(query\) \{\s*return \(?0?,? ?createHash\)?\("sha256"\)/);
  const from = /import \{[^}]*\b(?:\w+ as )?createHash\b[^}]*\} from "\.\/([^"]+)";/.exec(code)?.[1];
  expect(from, 'where createHash comes from').toBeDefined();
  expect(chunks.get(from!)).toMatch(/export \{ createHash as \w+ \} from "node:crypto";/);
});
