#!/usr/bin/env node
/**
 * `npm run build`: tsc (tsconfig.build.json: the type check, and dist/ for the CLIs), then the
 * bundle (scripts/bundle.mjs: dist/bundle, what `npm start` runs), skipped when nothing either
 * reads has changed since the last build that succeeded. Every `npm run` script that runs a
 * program builds first (`npm start`, `key:create`, `bulk`, ...), and a build takes half a minute
 * (some 110 s on a loaded 2-core machine): with nothing changed, this says so and is done in a
 * fraction of a second.
 *
 *   node scripts/build.mjs [--sourcemap] [--force] [--quiet]
 *
 *   --sourcemap  passed on to the bundle (source maps; see README "Production start")
 *   --force      build even when nothing changed
 *   --quiet      no line when the build is skipped (the scripts that run a program after it pass
 *                it: their output is the user's); a build that runs always says why on stderr
 *
 * Up to date means: the stamp (dist/.build-stamp.json, written after a build that succeeded,
 * removed when one starts) holds the SHA-256 of the inputs as they are now, the files tsc and the
 * bundler read: src/, schema/, resolvers/, prisma/, scripts/, tsconfig*.json, package.json and
 * package-lock.json (paths and contents; the installed packages are those of package-lock.json),
 * and of --sourcemap; and the SHA-256 of the outputs as they are now: every file under dist/ (the
 * bundle through its link), so that a deleted or changed output is built again. The stamp lives
 * in dist/: deleting dist deletes it too. Both hashes take some 150 ms on a 2-core machine.
 *
 * The stamp is removed when a build starts and written only once tsc and the bundle have both
 * succeeded, with the inputs hashed before the build started (an input changed during the build
 * makes the next run build again). A failed tsc exits with its status and leaves dist/bundle as it
 * was (the bundle step does not run); a failed bundling leaves it as well (scripts/bundle.mjs
 * buildBundle). Two builds at the same time both build (no lock): each publishes a complete bundle.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folders whose every file is an input of the build (missing ones are skipped). */
export const INPUT_DIRS = ['src', 'schema', 'resolvers', 'prisma', 'scripts'];
/** Files in the repository's root that are inputs: tsconfig*.json, package.json, package-lock.json. */
const INPUT_FILE = /^(tsconfig.*\.json|package\.json|package-lock\.json)$/;
/** The stamp's name, in dist/. */
export const STAMP = '.build-stamp.json';

/** Files under `dir` (recursively, following links to folders), as paths relative to `root`, sorted. */
function filesUnder(root, dir, skip = () => false) {
  const out = [];
  const walk = (rel) => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const r = path.join(rel, e.name);
      if (skip(r)) continue;
      const s = e.isSymbolicLink() ? statSync(path.join(root, r), { throwIfNoEntry: false }) : e;
      if (s?.isDirectory()) walk(r);
      else if (s?.isFile()) out.push(r);
    }
  };
  if (existsSync(path.join(root, dir))) walk(dir);
  return out.sort();
}

/** SHA-256 (hex) of the files' paths and contents, in order. */
function hashFiles(root, files, extra = '') {
  const h = createHash('sha256').update(extra);
  for (const f of files) h.update(`\0${f.split(path.sep).join('/')}\0`).update(readFileSync(path.join(root, f)));
  return h.digest('hex');
}

/** SHA-256 of the build's inputs under `root` (see the header), with the options that change its output. */
export function inputsHash(root, { sourcemap = false } = {}) {
  const files = [...INPUT_DIRS.flatMap((d) => filesUnder(root, d)), ...readdirSync(root).filter((n) => INPUT_FILE.test(n) && statSync(path.join(root, n)).isFile()).sort()];
  return hashFiles(root, files, JSON.stringify({ sourcemap }));
}

/**
 * SHA-256 of every file under `<root>/dist`, the bundle through its link, leaving out the stamp
 * and the bundle folders beside the link (earlier builds, unfinished ones: scripts/bundle.mjs).
 */
export function outputsHash(root) {
  return hashFiles(root, filesUnder(root, 'dist', (r) => r === path.join('dist', STAMP) || r.startsWith(path.join('dist', 'bundle.'))));
}

/**
 * Why `root` needs a build (one line), or undefined when its stamp says the outputs are those of
 * the inputs as they are now. `inputs`: inputsHash's value for this build.
 */
export function staleReason(root, inputs) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(root, 'dist', STAMP), 'utf8'));
  } catch {
    return 'no finished build in dist/';
  }
  if (stamp.inputs !== inputs) return 'the sources changed since the last build';
  if (stamp.outputs !== outputsHash(root)) return 'dist/ changed or lost files since the last build';
  return undefined;
}

/**
 * Builds `root` (tsc, then the bundle) unless it is up to date: resolves with 'skipped' or
 * 'built'; rejects when tsc fails (its output went to this process's stdout) or bundling does.
 * `log` gets the one line said about it (stderr for the command).
 */
export async function build(root, { sourcemap = false, force = false, quiet = false, log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const inputs = inputsHash(root, { sourcemap });
  const why = force ? 'forced (--force)' : staleReason(root, inputs);
  if (!why) {
    if (!quiet) log(`build: skipped, nothing it reads changed since the last build (inputs ${inputs.slice(0, 12)}; --force builds anyway)`);
    return 'skipped';
  }
  log(`build: ${why}: tsc, then the bundle (about half a minute)`);
  rmSync(path.join(root, 'dist', STAMP), { force: true });
  const tsc = createRequire(path.join(root, 'package.json')).resolve('typescript/bin/tsc');
  const run = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw Object.assign(new Error(`build: tsc failed (exit ${run.status ?? run.signal}); dist/bundle is unchanged`), { exitCode: run.status || 1 });
  const { buildBundle } = await import(new URL('./bundle.mjs', import.meta.url).href);
  await buildBundle({ compiled: path.join(root, 'dist'), bundleDir: path.join(root, 'dist/bundle'), sourcemap });
  const stamp = path.join(root, 'dist', STAMP);
  writeFileSync(`${stamp}.tmp`, `${JSON.stringify({ inputs, outputs: outputsHash(root), sourcemap }, null, 2)}\n`);
  renameSync(`${stamp}.tmp`, stamp);
  return 'built';
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const args = process.argv.slice(2);
  const unknown = args.find((a) => !['--sourcemap', '--force', '--quiet'].includes(a));
  if (unknown) {
    process.stderr.write(`build: unknown option ${unknown.slice(0, 32)} (options: --sourcemap, --force, --quiet)\n`);
    process.exit(2);
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  try {
    await build(root, { sourcemap: args.includes('--sourcemap'), force: args.includes('--force'), quiet: args.includes('--quiet') });
  } catch (e) {
    process.stderr.write(`${e.message}\n`);
    process.exit(e.exitCode ?? 1);
  }
}
