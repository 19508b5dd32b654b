/**
 * A PGlite data directory must only ever be open in one process (PGlite has no postmaster to
 * refuse a second one, and two writers corrupt it). We hold `<dataDir>.lock` containing our pid
 * while the database is open; a lock left by a process that no longer exists is taken over.
 */
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for `dataDir`; returns its release function. Throws if another live process holds it. */
export function lockDataDir(dataDir: string): () => void {
  const file = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, String(process.pid));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
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
      const holder = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
      if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
        throw new Error(`embedded database ${dataDir} is in use by process ${holder} (lock file ${file})`);
      }
      if (holder === process.pid) throw new Error(`embedded database ${dataDir} is already open in this process`);
      unlinkSync(file); // stale: its process is gone
    }
  }
  throw new Error(`could not lock ${file}`);
}
