/**
 * A PGlite data directory must only ever be open in one process (PGlite has no postmaster to
 * refuse a second one, and two writers corrupt it). We hold `<dataDir>.lock` while the database is
 * open, naming our process: its pid and, on Linux, its start time (/proc/<pid>/stat field 22,
 * clock ticks since boot), so that the pair names one process even when the pid is used again.
 * A lock left by a process that no longer runs is taken over:
 * - a pid no process has now (kill(pid, 0) fails with ESRCH);
 * - a pid now held by another process (its start time differs from the lock's): after a SIGKILL
 *   or an OOM kill, a restarted container's gateway gets the same small pid again, and a lock
 *   with our own pid that this process did not take is such a lock;
 * - a process that has exited and is only waiting to be reaped (a zombie, state Z): its parent
 *   (a shell, a test harness) has not collected it yet, but it holds nothing.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { StartupError } from '../config-error.js';
import { processRunning } from '../core/stale-temp.js';

/** Lock files this process holds, so that a lock naming our pid is told apart from a stale one. */
const held = new Set<string>();

/** What /proc says of a process: its state letter and start time, or null without /proc (not Linux) or when it is gone. */
function procStat(pid: number): { state: string; start: string } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields 3.. (the command may hold spaces)
    return { state: fields[0] ?? '', start: fields[19] ?? '' };
  } catch {
    return null;
  }
}


/** Whether the process a lock names still runs: `start` is the start time it recorded (absent in a lock written by an older version). */
function running(pid: number, start: string | undefined): boolean {
  if (!processRunning(pid)) return false;
  const now = procStat(pid);
  if (!now) return true; // no /proc: the pid alone says it
  if (now.state === 'Z' || now.state === 'X') return false;
  return start === undefined || now.start === start;
}

/**
 * Whether another running process holds the lock for `dataDir` now (a look, not the lock: the
 * opening still takes it with lockDataDir). src/main.ts asks before it logs in a bulk runner's
 * sessions ahead of the database, so that a second start on a data directory in use does not log
 * in on the registry before it stops.
 */
export function dataDirInUse(dataDir: string): boolean {
  try {
    const [pidText, start] = readFileSync(`${dataDir}.lock`, 'utf8').trim().split(/\s+/);
    const holder = Number.parseInt(pidText ?? '', 10);
    return Number.isInteger(holder) && holder !== process.pid && running(holder, start);
  } catch {
    return false; // no lock file
  }
}

/**
 * Takes the lock for `dataDir`; returns its release function (also run when the process exits).
 * Throws StartupError (one line: the folder, the process holding it, what to do) if another
 * running process holds it, and Error if this process has it open already.
 */
export function lockDataDir(dataDir: string): () => void {
  return lockFolder(dataDir, {
    what: `embedded database ${dataDir}`,
    inUse: (holder, file) =>
      `data directory: the embedded database ${dataDir} is in use by process ${holder} (lock file ${file}); stop that process (another gateway, or a key or db command, on the same DATA_DIR) or give this one another DATA_DIR`,
  });
}

/**
 * Takes `<dir>.lock` for this process, as lockDataDir does for the embedded database (the same
 * file format, the same stale-lock rules), for any folder one process at a time may write: the
 * sandboxes' state (src/sandbox/start.ts, src/sandbox/main.ts). `what` names the folder in the
 * Error thrown when this process holds the lock already; `inUse` makes the StartupError's one line
 * from the holding process's pid and the lock file. Returns the release function (also run when
 * the process exits).
 */
export function lockFolder(dir: string, words: { what: string; inUse: (holder: number, file: string) => string }): () => void {
  const file = `${dir}.lock`;
  if (held.has(file)) throw new Error(`${words.what} is already open in this process`);
  const me = procStat(process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600); // this process's only, as every file under DATA_DIR (src/db/private-files.ts)
      writeSync(fd, me ? `${process.pid} ${me.start}` : String(process.pid));
      closeSync(fd);
      held.add(file);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(file);
        process.removeListener('exit', release);
        try {
          unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
      process.once('exit', release);
      return release;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const [pidText, start] = readFileSync(file, 'utf8').trim().split(/\s+/);
      const holder = Number.parseInt(pidText ?? '', 10);
      // Our own pid in a lock this process did not take: an earlier process's, with the same pid.
      if (Number.isInteger(holder) && holder !== process.pid && running(holder, start)) throw new StartupError(words.inUse(holder, file));
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${file}`);
}
