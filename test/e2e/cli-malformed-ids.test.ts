/**
 * Ids on the command line that cannot be ids, run as processes as an operator runs them:
 * - `key:revoke <not a UUID>` says so and exits 2 (its usage error, as for ids with --label),
 *   without opening the database (an embedded one is a folder one process may hold; a server one
 *   is not connected to); before, it opened it and answered "no API key with id ..." with exit 1.
 * - the bulk CLI's `attach` and `cancel` with a job id that is not a UUID say so and exit 1 (the
 *   CLI's code for any error but a job's outcome: USAGE "exit codes"), sending nothing to the
 *   gateway; before, the id went to the gateway.
 * Both quote at most 32 characters of what was given.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compiledGateway, runCompiled } from '../helpers/processes.js';

let compiled: string;
let scratch: string;
const started: ChildProcess[] = [];
/** A stand-in gateway that counts the requests it gets (none may come). */
let server: Server;
let requests = 0;
let url: string;

beforeAll(async () => {
  compiled = await compiledGateway();
  scratch = await mkdtemp(path.join(os.tmpdir(), 'rgw-malformed-ids-'));
  server = createServer((_req, res) => {
    requests++;
    res.writeHead(500).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await new Promise((r) => server?.close(r));
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** The environment of a user's shell, without the gateway's settings. */
function userEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['DATABASE_URL', 'DATA_DIR', 'GATEWAY_CONFIG', 'GATEWAY_URL', 'GATEWAY_API_KEY']) delete env[k];
  return { ...env, ...extra };
}

const LONG = `${'a'.repeat(40)}-${'b'.repeat(10_000)}`;

/** `text` quotes LONG as quoted() does (src/core/errors.ts): its first 32 characters in quotes, then "…"; never 33 of them. */
function expectQuotedAtMost32(text: string): void {
  expect(text).toContain(`"${LONG.slice(0, 32)}"…`);
  expect(text).not.toContain(LONG.slice(0, 33));
}

describe('key:revoke', () => {
  it.each([
    ['"x"', ['x']],
    ['a UUID without hyphens', ['0f5c1a9e3b7d4c2a9e8f1a2b3c4d5e6f']],
    ['a good id beside a bad one', ['0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f', 'not-a-key']],
    ['10,000 characters', [LONG]],
  ])('%s: says it is not an API key id, exits 2, the embedded database folder untouched', async (_what, ids) => {
    const dataDir = await mkdtemp(path.join(scratch, 'data-'));
    const r = await runCompiled(compiled, 'src/auth/revoke-api-key.cli.js', ids, { cwd: scratch, env: userEnv({ DATA_DIR: dataDir }), started });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/is not an API key id \(a UUID, as npm run key:list shows it\); nothing was revoked/);
    expect(r.stderr).toContain('usage: key:revoke');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (ids.includes(LONG)) expectQuotedAtMost32(r.stderr);
    expect(await readdir(dataDir)).toEqual([]);
  });

  it('with --database-url of a server that is not there: exits 2 all the same, nothing connected to', async () => {
    const r = await runCompiled(compiled, 'src/auth/revoke-api-key.cli.js', ['x', '--database-url', 'postgresql://postgres@127.0.0.1:9/none'], { cwd: scratch, env: userEnv({}), started });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('"x" is not an API key id');
  });
});

describe('the bulk CLI', () => {
  it.each([
    ['attach', '"x"', 'x'],
    ['cancel', '"x"', 'x'],
    ['attach', 'a UUID without hyphens', '0f5c1a9e3b7d4c2a9e8f1a2b3c4d5e6f'],
    ['cancel', '10,000 characters', LONG],
  ])('%s with %s: says it is not a bulk job id, exits 1, sends nothing', async (command, _what, id) => {
    const before = requests;
    const r = await runCompiled(compiled, 'src/bulk/cli/bulk.cli.js', [command, id], { cwd: scratch, env: userEnv({ GATEWAY_URL: url, GATEWAY_API_KEY: 'rgw_test' }), started });
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^${command}: ".*"…? is not a bulk job id \\(a UUID, as "submitted: job <id>" printed it\\); nothing was sent$`));
    expect(r.stderr).toContain('exit codes:');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    if (id === LONG) expectQuotedAtMost32(r.stderr);
    expect(requests).toBe(before);
  });
});
