/** The lock of a sandboxes' state folder, for the gateway's sandboxes (src/sandbox/start.ts) and `npm run sandbox` (src/sandbox/main.ts). */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { lockFolder } from '../db/pglite-lock.js';

/**
 * Takes the lock of a sandboxes' state folder (`<dir>.lock`, src/db/pglite-lock.ts lockFolder),
 * making the folder's parent if need be; returns its release function. Throws StartupError, one
 * line naming the folder, the process holding it, `who` that may be and the `setting` to change,
 * when another running process holds it.
 */
export function lockSandboxState(dir: string, who: string, setting: string): () => void {
  const folder = path.resolve(dir);
  mkdirSync(path.dirname(folder), { recursive: true });
  return lockFolder(folder, {
    what: `sandbox state ${folder}`,
    inUse: (holder, file) => `data directory: the sandboxes' state ${folder} is in use by process ${holder} (lock file ${file}); stop that process (${who}) or give this one another ${setting}`,
  });
}
