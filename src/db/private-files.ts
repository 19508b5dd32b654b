/**
 * The embedded database's files are the owner's alone, as PostgreSQL keeps its own data directory
 * (its postmaster sets umask 077 and refuses a group- or world-accessible directory): they hold
 * the registrars' data and the API keys' hashes. PGlite's file system (Emscripten's NODEFS) sets
 * each file's mode itself, whatever the process umask: its initdb wrote ~1,000 files 0666
 * (world-writable), and PostgreSQL's start writes its relation cache (pg_internal.init) 0644. The
 * umask does reach the folders it makes. So: umask 077, the folder made 0700, and a pass that
 * takes group and other permissions away after initdb and after each start (client.ts).
 */
import { chmod, lstat, mkdir, opendir } from 'node:fs/promises';
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
 * Creates `dir` (and any missing parent) mode 0700, or makes an existing one 0700. Throws the
 * file system's error (EACCES, ENOTDIR) with its path.
 */
export async function privateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  await chmod(dir, PRIVATE_DIR_MODE);
}

/**
 * Takes group and other permissions away from everything under `dir` and from `dir` itself
 * (folders 0700, files 0600), so that an install made before this rule, or PGlite's initdb, ends
 * up owner-only. Symbolic links are neither followed nor changed. Only entries that need it are
 * changed (a second pass over a PGlite directory of ~1,000 files costs a few milliseconds of lstat).
 */
export async function makePrivate(dir: string): Promise<void> {
  const s = await lstat(dir);
  if (s.isSymbolicLink()) return;
  if (s.isDirectory()) {
    if ((s.mode & 0o777) !== PRIVATE_DIR_MODE) await chmod(dir, PRIVATE_DIR_MODE);
    const entries = await opendir(dir);
    for await (const e of entries) await makePrivate(`${dir}/${e.name}`);
  } else if (s.isFile() && (s.mode & 0o077) !== 0) {
    await chmod(dir, PRIVATE_FILE_MODE);
  }
}
