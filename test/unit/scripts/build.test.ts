/**
 * `npm run build` (scripts/build.mjs, scripts/bundle.mjs), run for real on a small project laid
 * out as the gateway is (src/main.ts, src/db/migrate.ts as the bundle's worker entry, the
 * repository's tsconfig files, its node_modules): a second build with nothing changed is skipped
 * and says so (every `npm run key:create`, `bulk`, `start` ... built for half a minute, 110 s under
 * load); a changed source, a lost output or a failed build is built again; and the bundle is
 * swapped in, so that `dist/bundle/main.js`, which a restarting gateway runs, is there throughout
 * a build (it was deleted first, and missing for the seconds rolldown took), and a failed
 * bundling leaves the previous bundle in place.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, readlinkSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundle, KEEP_PREVIOUS } from '../../../scripts/bundle.mjs';
import { REPO_ROOT } from '../../helpers/processes.js';

let root: string;

/** Runs a script of the fixture (its copy of scripts/) with node in the fixture's folder. */
function run(script: string, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(root, script), ...args], { cwd: root }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }));
  });
}
const build = (...args: string[]) => run('scripts/build.mjs', args);
/** What the built bundle prints when run. */
const runBundle = () => run('dist/bundle/main.js');
const mainSource = (word: string) => `const { answer } = await import('./db/migrate.js');\nconsole.log(\`${word} \${answer}\`);\n`;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'rgw-build-'));
  await mkdir(path.join(root, 'scripts'));
  for (const f of ['build.mjs', 'bundle.mjs']) await copyFile(path.join(REPO_ROOT, 'scripts', f), path.join(root, 'scripts', f));
  for (const f of ['tsconfig.json', 'tsconfig.build.json']) await copyFile(path.join(REPO_ROOT, f), path.join(root, f));
  await symlink(path.join(REPO_ROOT, 'node_modules'), path.join(root, 'node_modules'), 'dir');
  await writeFile(path.join(root, 'package.json'), '{ "name": "fixture", "private": true, "type": "module" }\n');
  await mkdir(path.join(root, 'src/db'), { recursive: true });
  await writeFile(path.join(root, 'src/main.ts'), mainSource('first'));
  await writeFile(path.join(root, 'src/db/migrate.ts'), 'export const answer: number = 42;\n');
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe('npm run build (scripts/build.mjs)', () => {
  it('builds, then skips (saying so) while nothing changed; a changed source, a lost output and --force build again', { timeout: 240_000 }, async () => {
    const first = await build();
    expect(first.stderr).toContain('build: no finished build in dist/: tsc, then the bundle');
    expect(first.stderr).not.toContain('INEFFECTIVE_DYNAMIC_IMPORT');
    expect(first.code).toBe(0);
    expect((await runBundle()).stdout).toBe('first 42\n');
    const bundle = readlinkSync(path.join(root, 'dist/bundle'));

    const second = await build();
    expect(second.code).toBe(0);
    expect(second.stderr).toMatch(/^build: skipped, nothing it reads changed since the last build \(inputs [0-9a-f]{12}; --force builds anyway\)\n$/);
    expect(readlinkSync(path.join(root, 'dist/bundle'))).toBe(bundle);
    // --quiet (the scripts that run a program after building pass it): a skip says nothing.
    expect(await build('--quiet')).toEqual({ code: 0, stdout: '', stderr: '' });

    await writeFile(path.join(root, 'src/main.ts'), mainSource('second'));
    const changed = await build('--quiet');
    expect(changed.code).toBe(0);
    expect(changed.stderr).toContain('build: the sources changed since the last build: tsc, then the bundle');
    expect((await runBundle()).stdout).toBe('second 42\n');
    expect(readlinkSync(path.join(root, 'dist/bundle'))).not.toBe(bundle);

    await rm(path.join(root, 'dist/src/main.js'));
    const lost = await build();
    expect(lost.stderr).toContain('build: dist/ changed or lost files since the last build: tsc, then the bundle');
    expect(existsSync(path.join(root, 'dist/src/main.js'))).toBe(true);
    expect((await build()).stderr).toContain('build: skipped');

    expect((await build('--force')).stderr).toContain('build: forced (--force): tsc, then the bundle');
    expect((await build()).stderr).toContain('build: skipped');
  });

  it('a build that fails (a type error) exits non-zero, leaves the bundle that was there, and is not skipped next time', { timeout: 240_000 }, async () => {
    if (!existsSync(path.join(root, 'dist/.build-stamp.json'))) expect((await build('--quiet')).code).toBe(0);
    await writeFile(path.join(root, 'src/db/migrate.ts'), "export const answer: number = 'not a number';\n");
    const failed = await build();
    expect(failed.code).not.toBe(0);
    expect(failed.stdout).toContain('error TS2322');
    expect(failed.stderr).toContain('build: tsc failed');
    expect((await runBundle()).stdout).toMatch(/^\w+ 42\n$/);
    expect((await build()).stderr).not.toContain('skipped');

    await writeFile(path.join(root, 'src/db/migrate.ts'), 'export const answer: number = 43;\n');
    expect((await build('--quiet')).code).toBe(0);
    expect((await runBundle()).stdout).toMatch(/^\w+ 43\n$/);
  });

  it('dist/bundle/main.js is there throughout `node scripts/bundle.mjs`, and is the new bundle after it', { timeout: 120_000 }, async () => {
    if (!existsSync(path.join(root, 'dist/bundle/main.js'))) expect((await build('--quiet')).code).toBe(0);
    const main = path.join(root, 'dist/bundle/main.js');
    const before = readlinkSync(path.join(root, 'dist/bundle'));
    const child = spawn(process.execPath, [path.join(root, 'scripts/bundle.mjs')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    let exited: number | null | undefined;
    child.on('exit', (code) => (exited = code));
    // Looked at on every turn of the event loop until the bundler exits: never missing.
    let looks = 0;
    let missing = 0;
    while (exited === undefined) {
      looks++;
      if (!existsSync(main)) missing++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(stderr).toBe('');
    expect(exited).toBe(0);
    expect(looks).toBeGreaterThan(1);
    expect(missing).toBe(0);
    expect(readlinkSync(path.join(root, 'dist/bundle'))).not.toBe(before);
    expect((await runBundle()).code).toBe(0);
  });

  it('a bundling that fails leaves the current bundle in place and no unfinished folder; the KEEP_PREVIOUS bundles before the current one are kept', { timeout: 120_000 }, async () => {
    const dist = path.join(root, 'dist');
    if (!existsSync(path.join(dist, 'bundle/main.js'))) expect((await build('--quiet')).code).toBe(0);
    const current = readlinkSync(path.join(dist, 'bundle'));
    const empty = await mkdtemp(path.join(root, 'empty-'));
    await expect(buildBundle({ compiled: empty, bundleDir: path.join(dist, 'bundle') })).rejects.toThrow();
    expect(readlinkSync(path.join(dist, 'bundle'))).toBe(current);
    expect((await runBundle()).code).toBe(0);
    expect((await readdir(dist)).filter((n) => n.startsWith('bundle.building-'))).toEqual([]);

    const built: string[] = [];
    for (let i = 0; i < KEEP_PREVIOUS + 2; i++) built.push(path.basename(await buildBundle({ compiled: dist, bundleDir: path.join(dist, 'bundle') })));
    expect(readlinkSync(path.join(dist, 'bundle'))).toBe(built.at(-1));
    const folders = (await readdir(dist)).filter((n) => n.startsWith('bundle.')).sort();
    expect(folders).toEqual(built.slice(-(KEEP_PREVIOUS + 1)).sort());
  });
});
