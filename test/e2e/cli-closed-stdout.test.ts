/**
 * Command-line programs whose standard output is closed early, as by `| head -3`:
 * `key:list --json | head -3` died with `Error: write EPIPE ... Unhandled 'error' event` and a
 * stack trace. Now they drop what has no reader and end as they would have (exit code, database
 * closed), printing nothing about it. The reading end is closed before the program writes, so the
 * first write meets EPIPE: no timing decides the outcome.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKeyCommand } from '../../src/auth/create-api-key.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { compiledGateway } from '../helpers/processes.js';

const ctx = inject('testDb');
let compiled: string;
let scratch: string;
let where: string[];
let pgDb: TestDatabase | undefined;
const started: ChildProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-closed-stdout-'));
  if (ctx.kind === 'postgres') {
    pgDb = await freshDatabase();
    where = ['--database-url', pgDb.url!];
  } else {
    await cp(ctx.templateDir, path.join(scratch, 'pglite'), { recursive: true });
    where = ['--data-dir', scratch];
  }
  const quiet = { out: () => undefined, err: () => undefined };
  for (let i = 0; i < 5; i++) expect(await createApiKeyCommand(['--registrar', 'NewRegistrar', '--label', `k${i}`, ...where], quiet)).toBe(0);
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await pgDb?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** Runs a compiled program with its stdout's reading end closed before it starts writing; resolves with its exit code and stderr. */
function withClosedStdout(script: string, args: string[]): Promise<{ code: number | null; stderr: string }> {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'GATEWAY_CONFIG', 'GATEWAY_API_KEY']) delete env[k];
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, script), ...args], { cwd: scratch, env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  child.stdout!.destroy(); // the reader is gone, as `head` is after its lines
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

describe('a closed standard output', () => {
  it('key:list --json: exit 0, nothing on stderr (it was an unhandled EPIPE error event with a stack trace)', async () => {
    const r = await withClosedStdout('src/auth/list-api-keys.cli.js', ['--json', '--registrar', 'NewRegistrar', ...where]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // The database was closed, not left held: the next command opens it.
    const again = await withClosedStdout('src/auth/list-api-keys.cli.js', [...where]);
    expect(again).toEqual({ code: 0, stderr: '' });
  }, 120_000);

  it('the other programs that print to stdout: key:create, key:revoke, the bulk CLI, db:migrate', async () => {
    for (const [script, args] of [
      ['src/auth/create-api-key.cli.js', ['--registrar', 'NewRegistrar', '--label', 'piped', ...where]],
      ['src/auth/revoke-api-key.cli.js', ['--help']],
      ['src/bulk/cli/bulk.cli.js', ['--help']],
      ['src/db/migrate.cli.js', where],
    ] as const) {
      const r = await withClosedStdout(script, [...args]);
      expect(r.stderr, script).not.toMatch(/EPIPE|^\s+at /m);
      expect(r.code, `${script}: ${r.stderr}`).toBe(0);
    }
  }, 120_000);
});
