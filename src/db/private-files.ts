/**
 * The embedded database's files are the owner's alone, as PostgreSQL keeps its own data directory
 * (its postmaster sets umask 077 and refuses a group- or world-accessible directory): they hold
 * the registrars' data and the API keys' hashes. PGlite's file system (Emscripten's NODEFS) sets
 * each file's mode itself, whatever the process umask: its initdb wrote ~1,000 files 0666
 * (world-writable), and PostgreSQL's start writes its relation cache (pg_internal.init) 0644. The
 * umask does reach the folders it makes. So: umask 077, the folder made 0700 before PostgreSQL
 * starts, and a pass that takes group and other permissions away once it has started (client.ts).
 */
import type { Stats } from 'node:fs';
import { chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';

/** Mode of the folders: owner only (rwx------). */
export const PRIVATE_DIR_MODE = 0o700;
/** Mode of the files: owner only (rw-------). */
export const PRIVATE_FILE_MODE = 0o600;

/**
 * From now on the process creates its files and folders for its owner only (umask 077), as
 * PostgreSQL's postmaster does: new WAL segments, relation files and the lock file of an embedded
 * database. Process-wide (a umask is); a worker thread cannot set it, so there it does nothing.
 */
export function ownerOnlyUmask(): void {
  if (isMainThread) process.umask(0o077);
}

/**
 * chmod, except on an entry this process does not own (EPERM): a data directory that is a volume
 * mounted for it (Kubernetes' fsGroup makes its root root-owned, group-writable) is used as it is.
 */
async function chmodOwn(p: string, mode: number): Promise<void> {
  await chmod(p, mode).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPERM') throw e;
  });
}

/**
 * Creates `dir` (and any missing parent) mode 0700, or makes an existing one 0700 (one this
 * process does not own is left as it is). Throws the file system's error (EACCES, ENOTDIR) with
 * its path.
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmodOwn(dir, PRIVATE_DIR_MODE);
}

/**
 * Takes group and other permissions away from everything under `dir` and from `dir` itself
 * (folders 0700, files 0600), so that an install made before this rule, or PGlite's initdb, ends
 * up owner-only. Symbolic links inside are neither followed nor changed (`dir` itself may be
 * one: DATA_DIR pointing at a volume), nor are entries another user owns (EPERM: see chmodOwn),
 * nor what is under `except` (a folder another pass tightens: the gateway leaves the database's to
 * client.ts). Only entries that need it are changed; a folder's entries are looked at together
 * (a PGlite directory of ~1,000 files: 60-90 ms one at a time on a loaded 2-core machine).
 */
export async function makePrivate(dir: string, except?: string): Promise<void> {
  const root = resolve(dir);
  await tighten(root, await stat(root), except === undefined ? undefined : resolve(except));
}

async function tighten(p: string, s: Stats, except: string | undefined): Promise<void> {
  if (s.isDirectory()) {
    if ((s.mode & 0o777) !== PRIVATE_DIR_MODE) await chmodOwn(p, PRIVATE_DIR_MODE);
    if (p === except) return;
    const names = await readdir(p);
    await Promise.all(
      names.map(async (name) => {
        const child = `${p}/${name}`;
        // Gone meanwhile (PostgreSQL renames and removes files as it runs): nothing to do.
        const cs = await lstat(child).catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return undefined;
          throw e;
        });
        if (cs) await tighten(child, cs, except);
      }),
    );
  } else if (s.isFile() && (s.mode & 0o077) !== 0) {
    await chmodOwn(p, PRIVATE_FILE_MODE).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
    });
  }
}
