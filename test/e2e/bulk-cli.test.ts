/**
 * The bulk CLI as a user runs it: a separate process against a running gateway. It submits a
 * renewal job from a file, follows it to the end, writes one CSV row per domain; the same command
 * again re-attaches to the same job (nothing renewed twice); `attach <id>` follows a job by id; a
 * transfer file's auth codes appear in no output and no file; Ctrl-C stops following and prints
 * the `attach` command that follows the job again.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { createDomains } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { compiledGateway, removeCompiledGateway, REPO_ROOT } from '../helpers/processes.js';

let t: TestGateway;
let dir: string;
let compiled: string;
let sandbox: EppSandbox;

beforeAll(async () => {
  t = await startTestGateway();
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-bulk-cli-'));
  compiled = await compiledGateway();
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  await removeCompiledGateway();
});

const cliArgs = (args: string[]) => ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'src/bulk/cli/bulk.cli.js'), ...args];

/** Runs the CLI as a process; `key` undefined runs it with no GATEWAY_API_KEY in its environment. */
function cli(args: string[], key: string | undefined): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = path.join(compiled, 'src/bulk/cli/bulk.cli.js');
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_URL: t.gateway.url, GATEWAY_API_KEY: key };
  if (key === undefined) delete env.GATEWAY_API_KEY;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, script, ...args], { cwd: REPO_ROOT, env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const rows = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((l) => l.split(','));

describe('npm run bulk', () => {
  it('renews the domains of a file, writes a CSV row per domain, and re-attaches when run again', async () => {
    const key = t.keys['NewRegistrar']!;
    const names = await createDomains(t, key, `cli${Date.now().toString(36)}`, 'tld', 5);
    const file = path.join(dir, 'names.txt');
    await writeFile(file, `# renew these\n${names.join('\n')}\n\n`);
    const out = path.join(dir, 'renew.csv');
    const renews = sandbox.applied('domain:renew');
    const first = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key);
    expect(first.stderr).toMatch(/submitted: job \S+ \(RENEW, 5 domains\)/);
    expect(first.stderr).toMatch(/\] 5\/5 {2}done 5 {2}failed 0 {2}cancelled 0 .*\/s {2}left/);
    expect(first.code).toBe(0);
    const [header, ...lines] = await rows(out);
    expect(header).toEqual(['position', 'domain', 'registry', 'state', 'attempts', 'resultCode', 'serverTransactionId', 'expiresAt', 'skipped', 'errorCode', 'errorMessage']);
    expect(lines.map((l) => [l[1], l[3], l[5]])).toEqual(names.map((n) => [n, 'SUCCEEDED', '1000']));
    expect(sandbox.applied('domain:renew') - renews).toBe(5);

    const again = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key);
    expect(again.stderr).toMatch(/attached to the job this command submitted before/);
    expect(sandbox.applied('domain:renew') - renews).toBe(5);
    const id = /job (\S+)/.exec(first.stderr)![1]!;
    const attached = await cli(['attach', id, '--out', path.join(dir, 'attach.csv')], key);
    expect(attached.code).toBe(0);
    expect((await rows(path.join(dir, 'attach.csv'))).length).toBe(6);
  }, 120_000);

  it('transfers with auth codes from a file; a refused code is a FAILED row; no code is printed or written', async () => {
    const names = await createDomains(t, t.keys['NewRegistrar']!, `clix${Date.now().toString(36)}`, 'tld', 2);
    const file = path.join(dir, 'codes.txt');
    await writeFile(file, `${names[0]},Bulk-Pw-2026\n${names[1]},Wrong-Code-77\n`);
    const out = path.join(dir, 'transfer.csv');
    const r = await cli(['transfer', '--file', file, '--out', out], t.keys['TheRegistrar']!);
    expect(r.code).toBe(2);
    const [, ...lines] = await rows(out);
    expect(lines.map((l) => [l[1], l[3]])).toEqual([[names[0], 'SUCCEEDED'], [names[1], 'FAILED']]);
    expect(lines[1]![9]).toBe('AUTHORIZATION_ERROR');
    const everything = r.stdout + r.stderr + (await readFile(out, 'utf8'));
    expect(everything).not.toContain('Bulk-Pw-2026');
    expect(everything).not.toContain('Wrong-Code-77');
    const stored = JSON.stringify(await t.gateway.services.prisma.bulkItem.findMany({ where: { name: { in: names } }, select: { input: true, result: true, error: true } }));
    expect(stored).not.toContain('Bulk-Pw-2026');
  }, 120_000);

  it('Ctrl-C stops following, leaves the job running and prints the attach command, which then follows it to the end', async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const key = t.keys['NewRegistrar']!;
    const file = path.join(dir, 'joker.txt');
    await writeFile(file, `alpha.joker.test\n`);
    joker.hold(); // the renewal stays queued at the registry: the job cannot finish before the interrupt
    try {
      const child = spawn(process.execPath, cliArgs(['renew', '--file', file, '--period', '1y', '--idempotency-key', `cli-int-${Date.now()}`, '--out', path.join(dir, 'int.csv')]), {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_URL: t.gateway.url, GATEWAY_API_KEY: key },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve) =>
        child.stderr.on('data', (s: string) => {
          stderr += s;
          if (/submitted: job \S+/.test(stderr)) resolve();
        }),
      );
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const id = /submitted: job (\S+)/.exec(stderr)![1]!;
      expect(stderr).toContain(`stopped following job ${id}; it keeps running in the gateway`);
      expect(stderr).toContain(`npm run bulk -- attach ${id}`);
      const running = await t.gql(key, 'query($id: ID!) { bulkJob(id: $id) { state finishedAt } }', { id });
      expect(running.data.bulkJob).toEqual({ state: 'RUNNING', finishedAt: null });
      joker.release();
      const attached = await cli(['attach', id, '--out', path.join(dir, 'int-attach.csv')], key);
      expect(attached.code).toBe(0);
      const [, line] = await rows(path.join(dir, 'int-attach.csv'));
      expect([line![1], line![3], line![5]]).toEqual(['alpha.joker.test', 'SUCCEEDED', '1000']);
    } finally {
      joker.release();
    }
  }, 120_000);

  it('without an API key says so in one line, how to give one, and exits 1 without the usage', async () => {
    const file = path.join(dir, 'nokey.txt');
    await writeFile(file, 'fine.tld\n');
    const r = await cli(['renew', '--file', file], undefined);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['missing API key: pass --api-key KEY or set GATEWAY_API_KEY (npm start prints a key for each sandbox registrar)']);
    // The flag it names works: with --api-key the request reaches the gateway, which accepts the key
    // and refuses the file's name (a name the gateway refuses, so no job is made).
    await writeFile(file, 'not a name\n');
    const withFlag = await cli(['renew', '--file', file, '--api-key', t.keys['NewRegistrar']!], undefined);
    expect(withFlag.stderr).toMatch(/^BAD_USER_INPUT \(domains\[0\]\.name\)/);
  }, 60_000);

  it('refuses a bad line naming it, and submits nothing', async () => {
    const file = path.join(dir, 'bad.txt');
    await writeFile(file, 'fine.tld\nnot a name\n');
    const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/BAD_USER_INPUT \(domains\[1\]\.name\)/);
  }, 60_000);
});
