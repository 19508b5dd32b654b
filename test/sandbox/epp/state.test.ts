/**
 * A sandbox with a state directory keeps its registry across restarts: what it answered is on
 * disk before the answer leaves (a crash loses nothing answered), the restarted sandbox has the
 * same objects, transfers and poll queues and continues its id sequences, and the file holds no
 * auth info or password in clear.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../../../src/core/clock.js';
import { EppSandbox, type EppSandboxOptions } from '../../../src/sandbox/epp/index.js';
import { PASSWORDS, fxWith, session } from './client.js';

const clock = new FakeClock('2026-03-01T00:00:00Z');
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-sandbox-state-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = (name = 'nomulus-a'): EppSandboxOptions => ({ profile: 'nomulus', clock, state: { dir, name } });
const SECRET = 'St4te-Secret-Pw9';

describe('a sandbox with a state directory', () => {
  it('has after a restart what it had before: objects, a pending transfer, poll queues, sequences', async () => {
    const first = new EppSandbox(options());
    const addr = await first.start();
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    const the = await session(addr, 'TheRegistrar', 'nomulus');
    const create = await neu.send(fxWith('domain/domain_create.xml', { '2fooBAR': SECRET }, { DOMAIN: 'kept.tld' }));
    expect(create.code).toBe(1000);
    const transfer = await the.send(fxWith('domain/domain_transfer_request.xml', { fooBAR: SECRET, 'example.tld': 'kept.tld' }));
    expect(transfer.code).toBe(1001);
    const before = { domain: first.domain('kept.tld'), queue: first.pollQueue('NewRegistrar') };
    expect(before.queue.length).toBe(1);
    neu.close();
    the.close();
    await first.stop();

    const second = new EppSandbox(options());
    const addr2 = await second.start();
    expect(second.domain('kept.tld')).toEqual(before.domain);
    expect(second.domain('kept.tld')!.authInfo).toBe(SECRET);
    expect(second.pollQueue('NewRegistrar')).toEqual(before.queue);
    // The registry goes on from there: the pending transfer can be approved, with a new poll message id.
    const neu2 = await session(addr2, 'NewRegistrar', 'nomulus');
    expect((await neu2.send(fxWith('domain/domain_transfer_approve.xml', { 'example.tld': 'kept.tld' }))).code).toBe(1000);
    expect(second.domain('kept.tld')!.sponsor).toBe('TheRegistrar');
    const ids = second.pollQueue('TheRegistrar').map((m) => m.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.filter((id) => before.queue.some((m) => m.id === id))).toEqual([]);
    const created = await neu2.send(fxWith('domain/domain_create.xml', {}, { DOMAIN: 'kept2.tld' }));
    expect(second.domain('kept2.tld')!.roid).not.toBe(before.domain!.roid);
    expect(created.code).toBe(1000);
    neu2.close();
    await second.stop();
  });

  it('has written a command to disk before answering it (a crash loses nothing answered)', async () => {
    const running = new EppSandbox(options('nomulus-b'));
    const addr = await running.start();
    const neu = await session(addr, 'NewRegistrar', 'nomulus');
    expect((await neu.send(fxWith('domain/domain_create.xml', {}, { DOMAIN: 'answered.tld' }))).code).toBe(1000);
    // Without stopping the first (as if it were killed now), a second sandbox reads the same file.
    const reader = new EppSandbox({ ...options('nomulus-b'), port: 0 });
    await reader.start();
    expect(reader.domain('answered.tld')?.sponsor).toBe('NewRegistrar');
    neu.close();
    await reader.stop();
    await running.stop();
  });

  it("removes at its start the temporary file of a write a killed process left (a fresh user's kill -9 left 512 KiB of one for good); a running process's is kept", async () => {
    const file = path.join(dir, 'nomulus-c.json');
    // A process that wrote its temporary file and was killed before the rename (SIGKILL), and one still running.
    const writer = () => {
      const child = spawn(process.execPath, ['-e', `require('fs').writeFileSync(process.argv[1] + '.' + process.pid + '.3.tmp', 'half a state'); process.stdout.write('w'); setInterval(() => {}, 1000)`, file], { stdio: ['ignore', 'pipe', 'inherit'] });
      return new Promise<ChildProcess>((resolve) => child.stdout!.once('data', () => resolve(child)));
    };
    const killed = await writer();
    const alive = await writer();
    const sandbox = new EppSandbox(options('nomulus-c'));
    try {
      const gone = new Promise((r) => killed.once('exit', r));
      killed.kill('SIGKILL');
      await gone;
      const left = `${file}.${killed.pid}.3.tmp`;
      const busy = `${file}.${alive.pid}.3.tmp`;
      expect(existsSync(left) && existsSync(busy)).toBe(true);
      await sandbox.start();
      expect(existsSync(left)).toBe(false);
      expect(existsSync(busy)).toBe(true);
      expect(existsSync(file)).toBe(true);
    } finally {
      await sandbox.stop().catch(() => undefined);
      alive.kill('SIGKILL'); // a failed assertion must not leave it running
    }
  });

  it('keeps auth infos encrypted and passwords out of the files; files and key are readable by the owner only', async () => {
    const text = await readFile(path.join(dir, 'nomulus-a.json'), 'utf8');
    expect(text).toContain('kept.tld');
    const journal = await readFile(path.join(dir, 'nomulus-a.journal'), 'utf8'); // the second start's commands
    expect(journal).toContain('kept2.tld');
    for (const secret of [SECRET, 'fooBAR', ...Object.values(PASSWORDS)]) {
      expect(text).not.toContain(secret);
      expect(journal).not.toContain(secret);
    }
    for (const file of ['nomulus-a.json', 'nomulus-a.journal', 'state.key']) expect((await stat(path.join(dir, file))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('refuses, naming the file, a state saved by a sandbox of another profile', async () => {
    const other = new EppSandbox({ profile: 'contacts', clock, state: { dir, name: 'nomulus-a' } });
    const before = await readFile(path.join(dir, 'nomulus-a.json'), 'utf8');
    await expect(other.start()).rejects.toThrow(/nomulus-a\.json is of profile nomulus/);
    await other.stop();
    expect(await readFile(path.join(dir, 'nomulus-a.json'), 'utf8')).toBe(before); // left as it was
  });
});
