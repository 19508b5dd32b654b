/**
 * Temporary files of a write cut short. The gateway writes its own files (the sandboxes' state,
 * their certificates, the bulk sessions hint) to a temporary file beside the target, then renames
 * it over the target, so a reader never sees half a file; a process killed between the two
 * (SIGKILL, a crash) leaves the temporary file behind, and a later start never wrote that name
 * again (found by a fresh user: `data/sandbox/sandbox-nomulus.json.11345.2946.tmp`, 512 KiB,
 * after a kill -9, still there two starts later).
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';

/** Whether `pid` is a running process (signal 0; one of another user's counts: EPERM). */
export function processRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * `<file>.<pid>.tmp` and `<file>.<pid>.<word>.tmp` (the names the writers above give their
 * temporary files: the writing process's id, then a sequence number or random letters), as
 * written by `pid`.
 */
export function tempName(file: string, word?: string | number): string {
  return `${file}.${process.pid}${word === undefined ? '' : `.${word}`}.tmp`;
}

/**
 * Removes the temporary files of `file` (tempName) whose process no longer runs: this process's
 * own and a running one's are left alone (a write may be under way). Best effort: a directory
 * that cannot be read or a file that cannot be removed is left as it is. Resolves to how many
 * were removed.
 */
export async function removeStaleTemps(file: string): Promise<number> {
  const dir = path.dirname(file);
  const base = path.basename(file);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(`${base}.`) || !name.endsWith('.tmp')) continue;
    const m = /^(\d+)(?:\.[0-9A-Za-z]+)?\.tmp$/.exec(name.slice(base.length + 1));
    if (!m) continue;
    const pid = Number(m[1]);
    if (pid === process.pid || processRunning(pid)) continue;
    await rm(path.join(dir, name), { force: true }).then(
      () => removed++,
      () => undefined,
    );
  }
  return removed;
}
