/**
 * The bulk CLI gave up when the gateway refused its submission with RATE_LIMITED (the API key had
 * spent its budget for the window), although the refusal says how long to wait
 * (`extensions.retryAfter`). Now it says it waits, waits that long and sends the same submission
 * again under the same idempotency key (a bounded number of times); other refusals are not retried.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { createDomains } from '../helpers/bulk.js';
import { startGraphqlRelay } from '../helpers/graphql-relay.js';
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
const FOLLOW_WAITING = /the gateway refused following job \S+ with RATE_LIMITED \(this API key's budget is spent for now\); waiting (\d+) s, then following it again \(1 of 20\)/;

/**
 * The key is kept spent until the CLI says it waits. Its submission is refused then, unless the
 * key's window started again between two of the spender's requests and the submission came in
 * that gap (seen under load): then the subscription that follows the job is what gets refused,
 * and is waited out too (once it ended the CLI with the refusal, the job running on without it).
 */
it('waits as RATE_LIMITED says, sends the submission (or follows the job) again, and the job runs once', async () => {
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
  const run = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key, (all) => (waiting ||= WAITING.test(all) || FOLLOW_WAITING.test(all)));
  waiting = true;
  await spending;
  const waited = WAITING.exec(run.stderr) ?? FOLLOW_WAITING.exec(run.stderr);
  expect(waited, run.stderr).not.toBeNull();
  expect(Number(waited![1])).toBeGreaterThanOrEqual(1);
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

/**
 * A TCP relay to the gateway for the CLI's URL that holds the CLI's bytes back once the gateway
 * acknowledged its first graphql-ws connection (its `connection_ack`; the CLI subscribes only
 * after it), until `release()`: the test spends the key meanwhile, so the subscription is what
 * gets refused.
 */
async function holdingRelay(): Promise<{ url: string; acked: Promise<void>; release(): void; close(): void }> {
  const held: Array<[net.Socket, net.Socket]> = [];
  let holding = false;
  let acked!: () => void;
  const ack = new Promise<void>((r) => (acked = r));
  const relay = await startGraphqlRelay(t.gateway.url, (b, client, upstream) => {
    if (holding || !b.includes('"connection_ack"')) return;
    holding = true; // the first connection only (a refused subscription's client connects afresh)
    client.unpipe(upstream);
    client.pause();
    held.push([client, upstream]);
    acked();
  });
  return {
    url: relay.url,
    acked: ack,
    release() {
      for (const [client, upstream] of held.splice(0)) client.pipe(upstream); // pipe() resumes the paused socket
    },
    close: () => relay.cut(true),
  };
}

it('a subscription refused with RATE_LIMITED while following the job is waited out, and the job followed to its end', async () => {
  const names = await createDomains(t, t.keys.NewRegistrar!, `rf${Date.now().toString(36)}`, 'tld', 2);
  const key = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'bulk cli follow rate limit')).key;
  const file = path.join(dir, 'follow.txt');
  await writeFile(file, `${names.join('\n')}\n`);
  const out = path.join(dir, 'follow.csv');
  const relay = await holdingRelay();
  try {
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'src/bulk/cli/bulk.cli.js'), 'renew', '--file', file, '--period', '1y', '--out', out], {
      cwd: REPO_ROOT,
      env: { ...process.env, GATEWAY_URL: relay.url, GATEWAY_API_KEY: key },
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await relay.acked; // submitted, connected, the subscribe held
    // Spent, with at least 1 s of the 3 s window left: the held subscribe arrives within it.
    for (;;) {
      await exhaust(key);
      const r = (await t.gql(key, '{ __typename }')) as { status: number; errors?: Array<{ extensions?: { retryAfter?: number } }> };
      if (r.status === 429 && (r.errors?.[0]?.extensions?.retryAfter ?? 0) >= 1) break;
    }
    relay.release();
    expect(await exited, stderr).toBe(0);
    expect(stderr).toMatch(FOLLOW_WAITING);
    expect(stderr).not.toMatch(WAITING); // the submission went through before the key was spent
    const lines = (await readFile(out, 'utf8')).trim().split('\n').slice(1).map((l) => l.split(','));
    expect(lines.map((l) => [l[1], l[3]])).toEqual(names.map((n) => [n, 'SUCCEEDED']));
  } finally {
    relay.close();
  }
}, 120_000);

it('does not retry another refusal', async () => {
  const key = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'bulk cli refusal')).key;
  const file = path.join(dir, 'bad.txt');
  await writeFile(file, 'not a domain name\n');
  const run = await cli(['renew', '--file', file, '--period', '1y', '--out', path.join(dir, 'bad.csv')], key);
  expect(run.code).toBe(1);
  expect(run.stderr).not.toMatch(/RATE_LIMITED|waiting/);
}, 60_000);
