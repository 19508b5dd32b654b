/**
 * The bulk CLI gave up when the gateway refused its submission with RATE_LIMITED (the API key had
 * spent its budget for the window), although the refusal says how long to wait
 * (`extensions.retryAfter`). Now it says it waits, waits that long and sends the same submission
 * again under the same idempotency key (a bounded number of times); other refusals are not retried.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { createDomains } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { compiledGateway, REPO_ROOT } from '../helpers/processes.js';

let t: TestGateway;
let dir: string;
let compiled: string;
let sandbox: EppSandbox;

beforeAll(async () => {
  // A tiny budget in a short window: a few aliased __type reads (200 points each) spend it.
  t = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.maxCost = 2999), (c.limits.rateLimit = { points: 3000, durationSec: 3 })) });
  sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-bulk-cli-rl-'));
  compiled = await compiledGateway();
}, 120_000);
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** `n` aliased `__type` reads: 200 points each (src/limits/cost.ts TYPE_INTROSPECTION). */
const types = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: __type(name: "Domain") { name }`).join(' ')} }`;

/**
 * Spends `key`'s budget until the gateway refuses even `{ __typename }` (the point every operation
 * spends on arrival): dearer reads first, so that a window that starts again meanwhile is spent in
 * a few requests; the cheap tail is bounded (the caller calls again).
 */
async function exhaust(key: string): Promise<void> {
  for (const n of [14, 8, 4, 2, 1]) while ((await t.gql(key, types(n))).status !== 429);
  for (let i = 0; i < 300; i++) if ((await t.gql(key, '{ __typename }')).status === 429) return;
}

/** Runs the CLI as a process with `key`; `onErr` sees its stderr as it arrives. */
function cli(args: string[], key: string, onErr: (all: string) => void = () => {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_URL: t.gateway.url, GATEWAY_API_KEY: key };
  const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'src/bulk/cli/bulk.cli.js'), ...args], { cwd: REPO_ROOT, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (stdout += b));
  child.stderr.on('data', (b: Buffer) => onErr((stderr += b)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr })));
}

const WAITING = /the gateway refused the submission with RATE_LIMITED \(this API key's budget is spent for now\); waiting (\d+) s, then sending it again with the same idempotency key \(1 of 5\)/;

it('waits as RATE_LIMITED says, sends the submission again with the same key, and the job runs once', async () => {
  const names = await createDomains(t, t.keys.NewRegistrar!, `rl${Date.now().toString(36)}`, 'tld', 2);
  const key = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'bulk cli rate limit')).key;
  const file = path.join(dir, 'names.txt');
  await writeFile(file, `${names.join('\n')}\n`);
  const out = path.join(dir, 'renew.csv');
  const renews = sandbox.applied('domain:renew');
  // The key stays spent until the CLI says it waits: its first submission is refused whenever it comes.
  let waiting = false;
  const spending = (async () => {
    while (!waiting) await exhaust(key);
  })();
  const run = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key, (all) => (waiting ||= WAITING.test(all)));
  waiting = true;
  await spending;
  expect(run.stderr).toMatch(WAITING);
  expect(Number(WAITING.exec(run.stderr)![1])).toBeGreaterThanOrEqual(1);
  expect(run.stderr).toMatch(/submitted: job \S+ \(RENEW, 2 domains\)/);
  expect(run.code).toBe(0);
  const lines = (await readFile(out, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
  expect(lines.map((l) => [l[1], l[3]])).toEqual(names.map((n) => [n, 'SUCCEEDED']));
  expect(sandbox.applied('domain:renew') - renews).toBe(2);
  // The same command again finds the job its retried submission made: the same idempotency key.
  const again = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key);
  expect(again.stderr).toMatch(/attached to the job this command submitted before/);
  expect(sandbox.applied('domain:renew') - renews).toBe(2);
}, 120_000);

it('does not retry another refusal', async () => {
  const key = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'bulk cli refusal')).key;
  const file = path.join(dir, 'bad.txt');
  await writeFile(file, 'not a domain name\n');
  const run = await cli(['renew', '--file', file, '--period', '1y', '--out', path.join(dir, 'bad.csv')], key);
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/RATE_LIMITED|waiting/);
}, 60_000);
