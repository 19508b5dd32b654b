/**
 * The embedded database's directory lock (src/db/pglite-lock.ts): a running process's lock is
 * respected, a lock its process left behind is taken over, whatever way it died.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { dataDirInUse, lockDataDir } from '../../../src/db/pglite-lock.js';

const linux = existsSync('/proc/self/stat');
const made: string[] = [];
const dir = () => {
  made.push(mkdtempSync(join(tmpdir(), 'rgw-lock-')));
  return join(made[made.length - 1]!, 'pglite');
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
/** Fields 3.. of /proc/<pid>/stat: [0] the state letter, [19] the start time. */
const statOf = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};
const startOf = (pid: number) => statOf(pid)[19];
const children: Array<ReturnType<typeof spawn>> = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** A process that runs until the test ends; resolves with its pid once it runs. */
async function running(): Promise<number> {
  const c = spawn('sleep', ['30'], { stdio: 'ignore' });
  children.push(c);
  await new Promise((r) => c.once('spawn', r));
  return c.pid!;
}

describe('embedded database lock', () => {
  it('refuses a directory a running process holds, and a second open in this process', async () => {
    const d = dir();
    const pid = await running();
    writeFileSync(`${d}.lock`, linux ? `${pid} ${startOf(pid)}` : String(pid));
    expect(() => lockDataDir(d)).toThrow(`is in use by process ${pid}`);
    const other = dir();
    const release = lockDataDir(other);
    expect(() => lockDataDir(other)).toThrow('already open in this process');
    release();
    lockDataDir(other)(); // free again once released
  });

  it('dataDirInUse: a running process\'s lock says in use; no lock, a dead process\'s, or this process\'s own does not', async () => {
    const d = dir();
    expect(dataDirInUse(d)).toBe(false);
    const pid = await running();
    writeFileSync(`${d}.lock`, linux ? `${pid} ${startOf(pid)}` : String(pid));
    expect(dataDirInUse(d)).toBe(true);
    writeFileSync(`${d}.lock`, '2147483646 12345'); // no such pid
    expect(dataDirInUse(d)).toBe(false);
    const mine = dir();
    const release = lockDataDir(mine);
    expect(dataDirInUse(mine)).toBe(false);
    release();
  });

  it('takes over a lock whose process is gone', () => {
    const d = dir();
    writeFileSync(`${d}.lock`, '2147483646 12345'); // no such pid
    const release = lockDataDir(d);
    expect(readFileSync(`${d}.lock`, 'utf8').split(' ')[0]).toBe(String(process.pid));
    release();
    expect(existsSync(`${d}.lock`)).toBe(false);
  });

  it('takes over a lock naming our own pid that this process did not take (a restarted container gets the same pid)', () => {
    const d = dir();
    writeFileSync(`${d}.lock`, linux ? `${process.pid} 1` : String(process.pid));
    lockDataDir(d)();
  });

  it.skipIf(!linux)('takes over a lock whose pid another process holds now (its start time differs)', async () => {
    const d = dir();
    const pid = await running();
    writeFileSync(`${d}.lock`, `${pid} 1`);
    lockDataDir(d)();
  });

  it.skipIf(!linux)('takes over a lock whose process has exited but is not reaped yet (a zombie)', async () => {
    const d = dir();
    // sh starts a short sleep, then becomes a long one that never reaps it: the short one stays a zombie.
    const c = spawn('sh', ['-c', 'sleep 0.1 & echo $!; exec sleep 30'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(c);
    const pid = Number(await new Promise<string>((r) => c.stdout!.once('data', (b) => r(String(b).trim()))));
    const start = startOf(pid);
    await expect.poll(() => statOf(pid)[0], { timeout: 10_000, interval: 20 }).toBe('Z');
    writeFileSync(`${d}.lock`, `${pid} ${start}`);
    lockDataDir(d)();
  });
});
