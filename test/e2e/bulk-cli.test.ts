/**
 * The bulk CLI as a user runs it: a separate process against a running gateway. It submits a
 * renewal job from a file, follows it to the end, writes one CSV row per domain; the same command
 * again re-attaches to the same job (nothing renewed twice); `attach <id>` follows a job by id; a
 * transfer file's auth codes appear in no output and no file, and are read as CSV (quoted codes
 * sent without their quotes); `cancel <id>` cancels a job, prints its counts and writes the CSV of its items then; Ctrl-C stops following and prints
 * the `attach` command that follows the job again; so does a connection to the gateway that drops
 * while following and does not come back (naming the URL and the cause, exit 3), after which
 * another instance's URL follows the job to its end; one that comes back is reconnected; an
 * unreachable gateway is named with the cause; --help prints the usage and exits 0.
 */
import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import type { JokerSandbox } from '../../src/sandbox/joker/index.js';
import { createApiKey, revokeApiKey } from '../../src/auth/api-keys.js';
import { BULK_RENEW, createDomains, waitFinished } from '../helpers/bulk.js';
import { startGraphqlRelay } from '../helpers/graphql-relay.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { expectQuotedAtMost32 } from '../helpers/quotes.js';
import { compiledGateway, REPO_ROOT } from '../helpers/processes.js';

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
});

const cliArgs = (args: string[]) => ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'src/bulk/cli/bulk.cli.js'), ...args];

/** Runs the CLI as a process; `key` undefined runs it with no GATEWAY_API_KEY in its environment. */
function cli(args: string[], key: string | undefined, url = t.gateway.url): Promise<{ code: number; stdout: string; stderr: string }> {
  const script = path.join(compiled, 'src/bulk/cli/bulk.cli.js');
  const env: NodeJS.ProcessEnv = { ...process.env, GATEWAY_URL: url, GATEWAY_API_KEY: key };
  if (key === undefined) delete env.GATEWAY_API_KEY;
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, script, ...args], { cwd: REPO_ROOT, env }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * A TCP relay to the test gateway: the URL the CLI is given. `following` resolves once the
 * gateway acknowledged a graphql-ws connection through it (its frames are not masked); `cut`
 * destroys every connection, and with `close` the listener too, as when the process is killed.
 */
async function startRelay(): Promise<{ url: string; following: Promise<void>; cut(o: { close: boolean }): void }> {
  let acked!: () => void;
  const following = new Promise<void>((r) => (acked = r));
  const relay = await startGraphqlRelay(t.gateway.url, (b) => b.includes('"connection_ack"') && acked());
  return { url: relay.url, following, cut: ({ close }) => relay.cut(close) };
}

/** How many progress lines show the 5-domain job finished (`] 5/5  done 5 ...`). */
const finalLines = (stderr: string) => stderr.split(/[\r\n]/).filter((l) => l.includes('] 5/5  done 5')).length;

/** The rate and time left of the last progress line (`... 2.5/s  left 00:00`). */
function finalRate(stderr: string): { rate: number; left: string } {
  const m = /([\d.]+)\/s {2}left (\S+)\s*$/.exec(stderr.split(/[\r\n]/).filter((l) => l.includes('/s  left')).at(-1) ?? '');
  return { rate: Number(m?.[1]), left: m?.[2] ?? '' };
}

const rows = async (file: string) => (await readFile(file, 'utf8')).trim().split('\n').map((l) => l.split(','));

/** `npm run bulk -- attach <id>` with `key` follows the Joker job of alpha.joker.test to its end: exit 0, its one row SUCCEEDED with 1000. */
async function expectAttachFinishesAlpha(id: string, out: string, key: string) {
  const attached = await cli(['attach', id, '--out', out], key);
  expect(attached.code).toBe(0);
  const [, line] = await rows(out);
  expect([line![1], line![3], line![5]]).toEqual(['alpha.joker.test', 'SUCCEEDED', '1000']);
}

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
    expect(finalLines(first.stderr)).toBe(1); // the final progress line once, not again when the job ends
    // However soon the job finished (before the first progress event too): its real rate, nothing left.
    expect(finalRate(first.stderr).rate).toBeGreaterThan(0);
    expect(finalRate(first.stderr).left).toBe('00:00');
    expect(first.code).toBe(0);
    const [header, ...lines] = await rows(out);
    expect(header).toEqual(['position', 'domain', 'registry', 'state', 'attempts', 'resultCode', 'serverTransactionId', 'expiresAt', 'skipped', 'errorCode', 'errorMessage', 'errorUpstreamCode', 'errorField']);
    expect(lines.map((l) => [l[1], l[3], l[5]])).toEqual(names.map((n) => [n, 'SUCCEEDED', '1000']));
    expect(sandbox.applied('domain:renew') - renews).toBe(5);

    const again = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key);
    expect(again.stderr).toMatch(/attached to the job this command submitted before/);
    // Its job finished: said plainly, with how to run the command again as a new job (a bulk-tool
    // trial took a repeated renewal's "5 done" for a new run).
    expect(again.stderr).toMatch(/that job finished at \S+: nothing was sent now, and its results are written again\. To run this command again as a new job, give it a key of its own: --idempotency-key <new key>/);
    expect(finalLines(again.stderr)).toBe(1); // a finished job: its one event's line, once
    expect(sandbox.applied('domain:renew') - renews).toBe(5);
    // The same domains saved another way (a byte order mark, CRLF, no comment): the same job, not a second renewal of each (a bulk-tool trial).
    const resaved = path.join(dir, 'names-crlf.txt');
    await writeFile(resaved, `\uFEFF${names.join('\r\n')}`);
    const third = await cli(['renew', '--file', resaved, '--period', '1y', '--out', out], key);
    expect(third.stderr).toMatch(/attached to the job this command submitted before/);
    expect(sandbox.applied('domain:renew') - renews).toBe(5);
    const id = /job (\S+)/.exec(first.stderr)![1]!;
    const attached = await cli(['attach', id, '--out', path.join(dir, 'attach.csv')], key);
    expect(attached.code).toBe(0);
    expect(finalLines(attached.stderr)).toBe(1);
    // A job finished before the CLI attached: its own rate (createdAt to finishedAt), not 0.0/s and --:--.
    for (const run of [again, attached]) expect(finalRate(run.stderr)).toMatchObject({ rate: expect.any(Number), left: '00:00' });
    for (const run of [again, attached]) expect(finalRate(run.stderr).rate).toBeGreaterThan(0);
    expect((await rows(path.join(dir, 'attach.csv'))).length).toBe(6);
  }, 120_000);

  it("an option another command takes is refused naming it and the command, and submits nothing (it changed the job's key: every domain renewed again)", async () => {
    // The trial: `renew --file mix.txt --from ns1.x`, then `--add clientHold`, each a new job renewing every domain again.
    const key = t.keys['NewRegistrar']!;
    const names = await createDomains(t, key, `clk${Date.now().toString(36)}`, 'tld', 2);
    const file = path.join(dir, 'foreign.txt');
    await writeFile(file, `${names.join('\n')}\n`);
    const out = path.join(dir, 'foreign.csv');
    const renews = sandbox.applied('domain:renew');
    const first = await cli(['renew', '--file', file, '--out', out], key);
    expect(first.code).toBe(0);
    expect(sandbox.applied('domain:renew') - renews).toBe(2);
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const takes = 'renew takes --file, --period, --out, --idempotency-key, --retries, --url, --api-key, --key-file';
    for (const [extra, of] of [[['--from', 'ns1.x.example'], 'replace-nameserver, replace-tech-contact'], [['--add', 'clientHold'], 'update-statuses'], [['--to=NEW-1'], 'replace-nameserver, replace-tech-contact']] as const) {
      const r = await cli(['renew', '--file', file, ...extra, '--out', out], key);
      expect(r.code).toBe(1);
      expect(r.stderr.trim().split('\n')).toEqual([`renew does not take ${extra[0].replace(/=.*/, '')} (an option of ${of}); ${takes}`]);
    }
    // Refused before anything is read: no key, no such file.
    const unread = await cli(['renew', '--file', path.join(dir, 'nope.txt'), '--remove', 'clientHold'], undefined);
    expect(unread.stderr.trim()).toBe(`renew does not take --remove (an option of update-statuses); ${takes}`);
    // A misspelt option is named with the closest one renew takes (not --to or --from).
    const misspelt = await cli(['renew', '--file', file, '--prot', '1'], key);
    expect(misspelt.code).toBe(1);
    expect(misspelt.stderr.trim()).toBe('unknown option --prot (did you mean --out?)');
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
    expect(sandbox.applied('domain:renew') - renews).toBe(2);
  }, 120_000);

  it('--period 1y and no --period (the default, 1 year) are the same job: the second run re-attaches', async () => {
    const key = t.keys['NewRegistrar']!;
    const names = await createDomains(t, key, `clp${Date.now().toString(36)}`, 'tld', 2);
    const file = path.join(dir, 'default-period.txt');
    await writeFile(file, `${names.join('\n')}\n`);
    const out = path.join(dir, 'default-period.csv');
    const renews = sandbox.applied('domain:renew');
    const first = await cli(['renew', '--file', file, '--out', out], key);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/submitted: job \S+ \(RENEW, 2 domains\)/);
    const again = await cli(['renew', '--file', file, '--period', '1y', '--out', out], key);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain(`attached to the job this command submitted before: job ${/job (\S+)/.exec(first.stderr)![1]} `);
    expect(sandbox.applied('domain:renew') - renews).toBe(2);
  }, 120_000);

  it('takes name,currentExpiry lines with a date alone (a.tld,2030-12-02) and renews each once', async () => {
    // Before, the gateway refused such a line: "DateTime cannot represent an invalid date-time-string".
    const key = t.keys['NewRegistrar']!;
    const names = await createDomains(t, key, `cld${Date.now().toString(36)}`, 'tld', 2);
    const dates = await Promise.all(names.map(async (n) => ((await t.gql(key, `{ domain(name: "${n}") { expiresAt } }`)).data.domain.expiresAt as string).slice(0, 10)));
    const file = path.join(dir, 'dates.txt');
    await writeFile(file, names.map((n, i) => `${n}, ${dates[i]}`).join('\n'));
    const out = path.join(dir, 'dates.csv');
    const renews = sandbox.applied('domain:renew');
    const run = await cli(['renew', '--file', file, '--out', out], key);
    expect(run.code).toBe(0);
    const [, ...lines] = await rows(out);
    expect(lines.map((l) => [l[1], l[3], l[7]!.slice(0, 10)])).toEqual(names.map((n, i) => [n, 'SUCCEEDED', `${Number(dates[i]!.slice(0, 4)) + 1}${dates[i]!.slice(4)}`]));
    expect(sandbox.applied('domain:renew') - renews).toBe(2);
  });

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
    expect(lines[1]![11]).toBe('2202'); // the registry's own code (EPP 2202 Invalid authorization information), column errorUpstreamCode
    expect(lines[0]![11]).toBe(''); // none for a success
    expect(lines[1]!.at(-1)).toBe('domains[1].authInfo'); // errorField: a registry's 2202 to a transfer is about its auth code
    const everything = r.stdout + r.stderr + (await readFile(out, 'utf8'));
    expect(everything).not.toContain('Bulk-Pw-2026');
    expect(everything).not.toContain('Wrong-Code-77');
    const stored = JSON.stringify(await t.gateway.services.prisma.bulkItem.findMany({ where: { name: { in: names } }, select: { input: true, result: true, error: true } }));
    expect(stored).not.toContain('Bulk-Pw-2026');
  }, 120_000);

  it("a refused domain's errorMessage quotes at most 32 characters of its name (EPP 2303 names it whole)", async () => {
    const name = `${`ce${Date.now().toString(36)}`.padEnd(60, 'e')}.tld`; // a 60-character label, registered nowhere
    const file = path.join(dir, 'long.txt');
    await writeFile(file, `${name}\n`);
    const out = path.join(dir, 'long.csv');
    const r = await cli(['renew', '--file', file, '--period', '1y', '--out', out], t.keys['NewRegistrar']!);
    expect(r.code).toBe(2);
    const [, line] = await rows(out);
    expect([line![1], line![3], line![9], line![11]]).toEqual([name, 'FAILED', 'OBJECT_NOT_FOUND', '2303']);
    expectQuotedAtMost32(line![10]!, name);
  }, 120_000);

  it('reads a transfer file as CSV: a quoted auth code is sent without its quotes, "" as one quote, a comma inside quotes kept', async () => {
    // `example.tld,"abc123"` sent the code with its quotes: the registry refused it (2202).
    const stamp = Date.now().toString(36);
    const codes = ['Quoted-Pw-2026', 'Pw,"Q"-2026'];
    const names = codes.map((_, i) => `cliq${stamp}-${i}.tld`);
    for (const [i, name] of names.entries()) {
      const c = await t.gql(t.keys['NewRegistrar']!, `mutation($k: String!, $n: String!, $a: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: $a }) { name } }`, { k: `cliq-${stamp}-${i}`, n: name, a: codes[i] });
      expect(c.errors).toBeUndefined();
    }
    const file = path.join(dir, 'quoted.csv');
    await writeFile(file, `${names[0]},"Quoted-Pw-2026"\r\n"${names[1]}", "Pw,""Q""-2026"\r\n`);
    const out = path.join(dir, 'quoted-out.csv');
    const r = await cli(['transfer', '--file', file, '--out', out], t.keys['TheRegistrar']!);
    expect(r.stderr).toMatch(/submitted: job \S+ \(TRANSFER, 2 domains\)/);
    const [, ...lines] = await rows(out);
    expect(lines.map((l) => [l[1], l[3], l[5]])).toEqual(names.map((n) => [n, 'SUCCEEDED', '1001']));
    expect(r.code).toBe(0);
    const everything = r.stdout + r.stderr + (await readFile(out, 'utf8'));
    for (const secret of ['Quoted-Pw', 'Q""-2026', 'Q"-2026']) expect(everything).not.toContain(secret);
  }, 120_000);

  it('cancel <job id>: the items not started are cancelled (nothing sent for them), the counts printed; run again it is the same request', async () => {
    const key = t.keys['NewRegistrar']!;
    const names = await createDomains(t, key, `clic${Date.now().toString(36)}`, 'tld', 40);
    const renews = sandbox.applied('domain:renew');
    // Every renewal is applied and its answer held: the job cannot finish before the cancel, and the
    // items not sent yet (the registry's 2 sessions are busy) are the ones the cancel stops.
    for (let i = 0; i < names.length; i++) sandbox.faults.next({ command: 'domain:renew', action: 'hold-after-apply' });
    try {
      const submitted = await t.gql(key, `mutation($k: String!, $d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: $k, domains: $d) { job { id } } }`, { k: `cli-cancel-test-${Date.now()}`, d: names.map((name) => ({ name })) });
      const id = submitted.data.bulkRenew.job.id as string;
      while (sandbox.applied('domain:renew') === renews) await new Promise((r) => setTimeout(r, 20));
      const cancelCsv = path.join(dir, 'cancel-then.csv');
      const r = await cli(['cancel', id, '--out', cancelCsv], key);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const m = /^job (\S+) \(RENEW, 40 domains\) cancelled: done (\d+) {2}failed (\d+) {2}cancelled (\d+) {2}running (\d+) {2}awaiting (\d+) {2}pending (\d+)\n/.exec(r.stdout);
      expect(m, r.stdout).not.toBeNull();
      const [done, failed, cancelled, running, awaiting, pending] = m!.slice(2).map(Number) as [number, number, number, number, number, number];
      expect(m![1]).toBe(id);
      expect(done + failed + cancelled + running + awaiting + pending).toBe(40);
      // The runner had claimed items it had not sent yet (they wait for a session): RUNNING until
      // each reaches its send and is cancelled there; the held renewals finish.
      expect(running).toBeGreaterThan(0);
      expect(cancelled + running).toBe(40);
      // The CSV of what is known then: every item, those not final yet as they stand.
      expect(r.stdout).toContain(`\n${cancelCsv}: 40 items as they stand after the cancel\n`);
      const then = (await rows(cancelCsv)).slice(1);
      expect(then).toHaveLength(40);
      expect(then.filter((l) => l[3] === 'CANCELLED')).toHaveLength(cancelled);
      expect(then.filter((l) => l[3] === 'RUNNING').length).toBeGreaterThan(0);
      expect(r.stdout).toContain(`items are not final yet: one already sent finishes with its real outcome, one not sent yet is cancelled before it is. Follow them and write the results again with:\n  npm run bulk -- attach ${id} --out ${cancelCsv}\n`);
      const state = await t.gql(key, 'query($id: ID!) { bulkJob(id: $id) { state } }', { id });
      expect(state.data.bulkJob.state).toBe('CANCELLED');

      // The same command again is the same request (its key comes from the id): answered, not refused.
      const again = await cli(['cancel', id, '--out', cancelCsv], key);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(new RegExp(`^job ${id} \\(RENEW, 40 domains\\) was cancelled before this command: nothing more to cancel: done \\d+`));
      // So does a cancel under another key: nothing more is cancelled, and it says so.
      const other = await cli(['cancel', id, '--out', cancelCsv, '--idempotency-key', `other-${id}`], key);
      expect(other.code).toBe(0);
      expect(other.stdout).toMatch(new RegExp(`^job ${id} \\(RENEW, 40 domains\\) was cancelled before this command: nothing more to cancel: done \\d+`));

      sandbox.faults.clear(); // the held renewals are answered
      const out = path.join(dir, 'cancel.csv');
      const attached = await cli(['attach', id, '--out', out], key);
      expect(attached.code).toBe(2); // some cancelled
      // The summary says the job was cancelled (a follower of a cancelled job whose items had all been sent heard nothing of it).
      expect(attached.stdout).toMatch(new RegExp(`^${out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: 40 items, \\d+ done, 0 failed, \\d+ cancelled \\(the job was cancelled\\)\n$`, 'm'));
      const [, ...lines] = await rows(out);
      const applied = sandbox.applied('domain:renew') - renews;
      expect(lines.filter((l) => l[3] === 'SUCCEEDED')).toHaveLength(applied); // nothing sent for a cancelled item
      expect(lines.filter((l) => l[3] === 'CANCELLED')).toHaveLength(40 - applied);
      expect(applied).toBeLessThan(40);
      // The same cancel once more: its answer is the first one's (counts of then, some running), but
      // the items it writes are all final now, and it says nothing is left to follow (found by a fresh user).
      const replayed = await cli(['cancel', id, '--out', cancelCsv], key);
      expect(replayed.code).toBe(0);
      expect(replayed.stdout).toBe(again.stdout.split('\n')[0] + `\n${cancelCsv}: 40 items as they stand after the cancel\n`);
      expect((await rows(cancelCsv)).slice(1).filter((l) => !['SUCCEEDED', 'CANCELLED'].includes(l[3]!))).toEqual([]);
    } finally {
      sandbox.faults.clear();
    }

    // A finished job is left as it was; a job that is not the key's registrar's (or none) is named.
    const [one] = await createDomains(t, key, `clid${Date.now().toString(36)}`, 'tld', 1);
    const finished = await t.gql(key, `mutation($k: String!, $n: String!) { bulkRenew(idempotencyKey: $k, domains: [{ name: $n }]) { job { id } } }`, { k: `cli-cancel-done-${Date.now()}`, n: one });
    const doneId = finished.data.bulkRenew.job.id as string;
    await waitFinished(t, key, doneId);
    const lateCsv = path.join(dir, 'cancel-late.csv');
    const late = await cli(['cancel', doneId, '--out', lateCsv], key);
    expect(late.code).toBe(0);
    expect(late.stdout).toBe(`job ${doneId} (RENEW, 1 domain) had finished before the cancel: nothing to cancel: done 1  failed 0  cancelled 0  running 0  awaiting 0  pending 0\n${lateCsv}: 1 item as they stand after the cancel\n`);
    expect((await rows(lateCsv)).slice(1).map((l) => [l[1], l[3]])).toEqual([[one, 'SUCCEEDED']]);
    const theirs = await cli(['cancel', doneId, '--out', lateCsv], t.keys['TheRegistrar']!);
    expect(theirs.code).toBe(1);
    expect(theirs.stderr.trim()).toBe(`no bulk job ${doneId} of this API key's registrar`);
    // An --out it cannot write: refused before the cancel is sent.
    const badOut = await cli(['cancel', doneId, '--out', path.join(dir, 'no-such-folder', 'x.csv')], key);
    expect(badOut.code).toBe(1);
    expect(badOut.stderr.trim()).toBe(`cannot write the results to ${path.join(dir, 'no-such-folder', 'x.csv')} (--out): no folder ${path.join(dir, 'no-such-folder')}; nothing was cancelled`);
    const noId = await cli(['cancel'], key);
    expect(noId.code).toBe(1);
    expect(noId.stderr).toMatch(/^cancel needs a job id\nusage: npm run bulk/);
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
      await expectAttachFinishesAlpha(id, path.join(dir, 'int-attach.csv'), key);
    } finally {
      joker.release();
    }
  }, 120_000);

  it('a connection to the gateway lost while following: names the URL and the cause, exits 3 with the attach command; another instance follows the job to its end', async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const key = t.keys['NewRegistrar']!;
    const file = path.join(dir, 'joker-lost.txt');
    await writeFile(file, `alpha.joker.test\n`);
    // The "instance" the CLI talks to: a relay to the gateway, cut as a killed process is; the
    // gateway behind it stays, as another instance would.
    const relay = await startRelay();
    joker.hold(); // the renewal stays queued at the registry: the job is still running when the relay goes
    try {
      const child = spawn(process.execPath, cliArgs(['renew', '--file', file, '--period', '1y', '--idempotency-key', `cli-lost-${Date.now()}`, '--retries', '1']), {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_URL: relay.url, GATEWAY_API_KEY: key },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.stderr.on('data', (s: string) => (stderr += s));
      await relay.following;
      relay.cut({ close: true });
      expect(await exited).toBe(3);
      const id = /submitted: job (\S+)/.exec(stderr)![1]!;
      const wsUrl = relay.url.replace(/^http/, 'ws');
      expect(stderr).toContain(`lost the connection to ${wsUrl} (closed with code 1006); reconnecting in 1 s (1 of 1)`);
      const lines = stderr.trim().split('\n');
      expect(lines.at(-3)).toMatch(new RegExp(`^lost the connection to ${wsUrl.replace(/[.]/g, '\\.')} \\(closed with code 1006: connect ECONNREFUSED 127\\.0\\.0\\.1:\\d+, then 1 reconnect failed\\): stopped following job ${id}; it keeps running in the gateway\\. Follow it again with:$`));
      expect(lines.at(-2)).toBe(`  npm run bulk -- attach ${id}`);
      expect(lines.at(-1)).toContain('another gateway instance on the same database serves it too: the same command with --url <its /graphql URL>');
      expect(stderr).not.toContain('{}');
      joker.release();
      // The printed command, with GATEWAY_URL naming an instance that is there.
      const out = path.join(dir, `bulk-${id}.csv`);
      await expectAttachFinishesAlpha(id, out, key);
    } finally {
      joker.release();
      relay.cut({ close: true });
    }
  }, 120_000);

  it("the API key refused while following (revoked, or a restarted zero-setup gateway's new keys): says so at once, no reconnects, exits 3 with the attach command", async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const { prisma } = t.gateway.services;
    const doomed = await createApiKey(prisma, 'NewRegistrar', 'cli revoked while following');
    const file = path.join(dir, 'joker-refused.txt');
    await writeFile(file, `alpha.joker.test\n`);
    joker.hold(); // the job is still running when the key goes
    try {
      const child = spawn(process.execPath, cliArgs(['renew', '--file', file, '--period', '1y', '--idempotency-key', `cli-refused-${Date.now()}`]), {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_URL: t.gateway.url, GATEWAY_API_KEY: doomed.key },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const following = new Promise<void>((resolve) => child.stderr.on('data', () => /submitted: job /.test(stderr) && resolve()));
      child.stderr.on('data', (s: string) => (stderr += s));
      await following;
      // Revoked while the CLI connects or follows: either way the gateway closes with 4403.
      expect(await revokeApiKey(prisma, doomed.id)).toBe(true);
      expect(await exited).toBe(3);
      const id = /submitted: job (\S+)/.exec(stderr)![1]!;
      const wsUrl = t.gateway.url.replace(/^http/, 'ws');
      expect(stderr).not.toContain('reconnecting');
      const lines = stderr.trim().split('\n');
      expect(lines.at(-3)).toMatch(
        new RegExp(
          `^the gateway at ${wsUrl.replace(/[.]/g, '\\.')} refused the API key \\(closed with code 4403 \\(Forbidden[^)]*\\)\\): it was revoked, or the gateway restarted with new keys \\(a zero-setup gateway prints new ones at every start\\); follow the job with a current key: stopped following job ${id}; it keeps running in the gateway\\. Follow it again with:$`,
        ),
      );
      expect(lines.at(-2)).toBe(`  npm run bulk -- attach ${id}`);
      expect(stderr).not.toContain(doomed.key);
      joker.release();
      // The printed command, with a current key, follows the job to its end.
      const out = path.join(dir, `bulk-${id}.csv`);
      await expectAttachFinishesAlpha(id, out, t.keys['NewRegistrar']!);
    } finally {
      joker.release();
    }
  }, 120_000);

  it('a connection that drops and comes back: the CLI reconnects and follows the job to its end', async () => {
    const joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
    const key = t.keys['NewRegistrar']!;
    const file = path.join(dir, 'joker-drop.txt');
    await writeFile(file, `alpha.joker.test\n`);
    const relay = await startRelay();
    joker.hold();
    try {
      const child = spawn(process.execPath, cliArgs(['renew', '--file', file, '--period', '1y', '--idempotency-key', `cli-drop-${Date.now()}`, '--out', path.join(dir, 'drop.csv')]), {
        cwd: REPO_ROOT,
        env: { ...process.env, GATEWAY_URL: relay.url, GATEWAY_API_KEY: key },
      });
      let stderr = '';
      child.stderr.setEncoding('utf8');
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      const saw = (re: RegExp) => new Promise<void>((resolve) => child.stderr.on('data', () => re.test(stderr) && resolve()));
      child.stderr.on('data', (s: string) => (stderr += s));
      await relay.following;
      const back = saw(/reconnected to /);
      relay.cut({ close: false }); // every connection dropped, the port still open
      await back;
      const id = /submitted: job (\S+)/.exec(stderr)![1]!;
      expect(stderr).toContain(`lost the connection to ${relay.url.replace(/^http/, 'ws')} (closed with code 1006); reconnecting in 1 s (1 of 5)`);
      expect(stderr).toContain(`reconnected to ${relay.url.replace(/^http/, 'ws')}; following job ${id} again`);
      joker.release();
      expect(await exited).toBe(0);
      const [, line] = await rows(path.join(dir, 'drop.csv'));
      expect([line![1], line![3], line![5]]).toEqual(['alpha.joker.test', 'SUCCEEDED', '1000']);
    } finally {
      joker.release();
      relay.cut({ close: true });
    }
  }, 120_000);

  it('an unreachable gateway: names the URL and the cause, exits 1', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const file = path.join(dir, 'unreachable.txt');
    await writeFile(file, 'fine.tld\n');
    const url = `http://127.0.0.1:${port}/graphql`;
    const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!, url);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`cannot reach the gateway at ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);
    const attach = await cli(['attach', '0f5c1a9e-3b7d-4c2a-9e8f-1a2b3c4d5e6f'], t.keys['NewRegistrar']!, url);
    expect(attach.code).toBe(1);
    expect(attach.stderr.trim()).toBe(`cannot reach the gateway at ${url}: connect ECONNREFUSED 127.0.0.1:${port}`);
  }, 60_000);

  it('--help and -h print the usage on stdout and exit 0, with no API key and no gateway', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await cli([flag], undefined, 'http://127.0.0.1:9/graphql');
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toContain('usage: npm run bulk -- <kind> [options]');
      expect(r.stdout).toContain('GATEWAY_URL');
      expect(r.stdout).toContain('GATEWAY_API_KEY');
      expect(r.stdout).toMatch(/exit codes: 0 .* 3 the connection to the gateway/);
      expect(r.stdout).toContain('README: "The bulk CLI"');
    }
    const withCommand = await cli(['renew', '--help'], undefined);
    expect(withCommand.code).toBe(0);
    expect(withCommand.stdout).toContain('usage: npm run bulk');
  }, 60_000);

  it('without an API key says so in one line, how to give one, and exits 1 without the usage', async () => {
    const file = path.join(dir, 'nokey.txt');
    await writeFile(file, 'fine.tld\n');
    const r = await cli(['renew', '--file', file], undefined);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual(['missing API key: set GATEWAY_API_KEY or pass --key-file FILE (npm start prints a key for each sandbox registrar)']);
    // The flag it names works: with --key-file (the key on the file's first line) the request reaches
    // the gateway, which accepts the key and refuses the file's name (a name the gateway refuses, so no job is made).
    await writeFile(file, 'not a name\n');
    const keyFile = path.join(dir, 'key.txt');
    await writeFile(keyFile, `${t.keys['NewRegistrar']!}\n`, { mode: 0o600 });
    const withFile = await cli(['renew', '--file', file, '--key-file', keyFile], undefined);
    expect(withFile.stderr).toMatch(/^BAD_USER_INPUT \(domains\[0\]\.name\)/);
    // --api-key still works (README says why not to use it: npm's echo and the process list show it).
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

  it("names the file's line of a refused domain (blank and # lines are not domains), never a transfer's auth code", async () => {
    // The gateway names domains[i]; with a comment and blank lines above, domains[2] is on line 7.
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const file = path.join(dir, 'lines.txt');
    await writeFile(file, '# portfolio\n\nfine.tld\n\nother.tld\n# again:\nFINE.tld\n');
    const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['BAD_USER_INPUT (domains[2].name): domains[2].name: is listed twice (also domains[0].name)', `  ${file} line 7: FINE.tld (also line 3)`]);
    const codes = path.join(dir, 'short-code.txt');
    await writeFile(codes, 'one.tld,Long-Enough-1\n\ntwo.tld,Pw1\n');
    const x = await cli(['transfer', '--file', codes], t.keys['NewRegistrar']!);
    expect(x.code).toBe(1);
    expect(x.stderr).toContain(`${codes} line 3: two.tld\n`);
    expect(x.stderr).not.toContain('Pw1');
    // A line whose name is its auth code (a file written with the code twice): the gateway's
    // message hides it as a secret, and so does the line reference (it printed the code).
    const same = path.join(dir, 'same-code.txt');
    await writeFile(same, 'SECRET-MMM-333,SECRET-MMM-333\n');
    const y = await cli(['transfer', '--file', same], t.keys['NewRegistrar']!);
    expect(y.code).toBe(1);
    expect(y.stderr).toContain(`${same} line 1: (the name is not shown: it is also an auth code of the file)`);
    expect(y.stderr).not.toContain('SECRET-MMM');
    // In another letter case, with a trailing dot, or as another line's code (a duplicate's name
    // equal to an earlier line's code): the gateway hides it in any letter case, and so does the CLI.
    for (const [text, secret] of [
      ['Secret_Code9.tld,secret_code9.tld\n', /secret_code9/i],
      ['sec_ret9.tld.,sec_ret9.tld\n', /sec_ret9/i],
      ['ok1.tld,ZZCODE77.TLD\nzzcode77.tld,xyzxyz123\nzzcode77.tld,abcabc123\n', /zzcode77/i],
    ] as const) {
      const f = path.join(dir, `code-as-name-${randomUUID().slice(0, 6)}.txt`);
      await writeFile(f, text);
      const z = await cli(['transfer', '--file', f], t.keys['NewRegistrar']!);
      expect(z.code, text).toBe(1);
      expect(z.stderr, text).toContain(`${f} line `);
      expect(z.stderr, text).not.toMatch(secret);
    }
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it('says a URL that answers JSON without data or errors is not the gateway (it said "Cannot read properties of undefined")', async () => {
    const server = (await import('node:http')).createServer((_req, res) => void res.writeHead(500, { 'content-type': 'application/json' }).end('{}'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const file = path.join(dir, 'not-gateway.txt');
      await writeFile(file, 'one.tld\n');
      const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/graphql`;
      const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!, url);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`${url} answered HTTP 500 Internal Server Error with JSON that is no GraphQL response (no data, no errors): is it the gateway's /graphql URL?`);
    } finally {
      server.close();
    }
  });

  it('a renew line whose date the calendar lacks (2027-02-30, 2027-13-01) is refused naming the file, the line and the date as written; nothing submitted', async () => {
    // It was sent as "2027-02-30T00:00:00Z", which the gateway's refusal quoted: a value the user never wrote.
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    for (const date of ['2027-02-30', '2027-13-01']) {
      const file = path.join(dir, `bad-date-${date}.txt`);
      await writeFile(file, `# expiries\nfine.tld,2030-12-02\nother.tld, ${date}\n`);
      const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`BAD_USER_INPUT (domains[1].currentExpiry): ${file} line 3: currentExpiry "${date}" is not a date the calendar has (YYYY-MM-DD, such as 2030-12-02); nothing was submitted`);
    }
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it("a file line it refuses itself is said as the gateway's refusals are: the code and the field the line would become, then the file and line", async () => {
    // It named the file and line only: no code or field to match on, unlike `BAD_USER_INPUT (domains[3].authInfo): ...`.
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const cases: Array<[string, string, string]> = [
      ['one.tld,Code-Pw-1\n\ntwo.tld\n', 'domains[1].authInfo', 'line 3: no authCode after the domain name (lines are name,authCode)'],
      ['one.tld,Code-Pw-1,extra\n', 'domains[0]', 'line 1: 3 fields (lines are name,authCode; a field holding a comma is written in quotes: name,"a,b")'],
      ['# codes\none.tld,"Code-Pw-1\n', 'domains[0].authInfo', 'line 2: a quoted field is not closed: a field that starts with " ends with " (a quote inside it is written "")'],
    ];
    for (const [i, [text, field, what]] of cases.entries()) {
      const file = path.join(dir, `line-refusal-${i}.txt`);
      await writeFile(file, text);
      const r = await cli(['transfer', '--file', file], t.keys['NewRegistrar']!);
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toBe(`BAD_USER_INPUT (${field}): ${file} ${what}`);
      expect(r.stderr).not.toContain('Code-Pw-1');
    }
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it('--period a registry of the file cannot take: the refusal names the registry, its first domain in the file and that line', async () => {
    // The trial: "period: this registry accepts YEARS only", for a file of .ee, .joker.test and .hdtest names.
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const file = path.join(dir, 'mixed-period.txt');
    await writeFile(file, 'kass.ee\n\n# HeadlessDomains:\nfirst.hdtest\nsecond.hdtest\nkoer.ee\n');
    const r = await cli(['renew', '--file', file, '--period', '6m'], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['BAD_USER_INPUT (period.unit): period.unit: registry "sandbox-headless" (domains[1] "first.hdtest" and 1 more) accepts YEARS only', `  ${file} line 4: first.hdtest`]);
    // A status a registry of the file cannot set: the same (the trial: no line for `add[0]`'s refusal naming domains[1]).
    const statuses = path.join(dir, 'mixed-status.txt');
    await writeFile(statuses, '# header\n\nr1.tld\nalpha.joker.test\n');
    const s = await cli(['update-statuses', '--file', statuses, '--add', 'clientHold'], t.keys['NewRegistrar']!);
    expect(s.code).toBe(1);
    expect(s.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^UNSUPPORTED_BY_BACKEND \(add\[0\]\): .*\(domains\[1\] "alpha\.joker\.test"\)/), `  ${statuses} line 4: alpha.joker.test`]);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it('an --out it cannot write is refused before anything is submitted, in one line (no stack trace)', async () => {
    // It was found only after the job had run: an unhandled stream error, a stack trace, no CSV.
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const [name] = await createDomains(t, t.keys['NewRegistrar']!, `clio${Date.now().toString(36)}`, 'tld', 1);
    const file = path.join(dir, 'out-check.txt');
    await writeFile(file, `${name}\n`);
    const out = path.join(dir, 'no-such-folder', 'r.csv');
    const r = await cli(['renew', '--file', file, '--out', out], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([`cannot write the results to ${out} (--out): no folder ${path.dirname(out)}; nothing was submitted`]);
    const onDir = await cli(['renew', '--file', file, '--out', dir], t.keys['NewRegistrar']!);
    expect(onDir.stderr.trim()).toBe(`cannot write the results to ${dir} (--out): it is a directory; nothing was submitted`);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);

  it('a file too big for one request says how many domains it holds and to split it', async () => {
    const file = path.join(dir, 'huge.txt');
    await writeFile(file, Array.from({ length: 100_000 }, (_, i) => `huge${i}.tld`).join('\n'));
    const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`PAYLOAD_TOO_LARGE: the request body is larger than 2 MB: ${file} has 100000 domains, too many for one request; split it into files of fewer domains (a job holds at most 20,000 by default, bulk.maxItems)`);
  }, 60_000);

  it('a file of more domains than a job holds names the file and the most to split it into; an empty one names the file (both said only "domains: ..." to a fresh user)', async () => {
    const jobs = await t.gateway.services.prisma.bulkJob.count();
    const file = path.join(dir, 'over.txt');
    await writeFile(file, Array.from({ length: 20_001 }, (_, i) => `over${i}.tld`).join('\n'));
    const r = await cli(['renew', '--file', file], t.keys['NewRegistrar']!);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`BAD_USER_INPUT (domains): domains: has 20001 items; no list may have more than 20000: ${file} has 20001 domains; split it into files of at most 20000 (the gateway's bulk.maxItems)`);
    const empty = path.join(dir, 'empty.txt');
    await writeFile(empty, '# nothing yet\n\n');
    const e = await cli(['renew', '--file', empty], t.keys['NewRegistrar']!);
    expect(e.code).toBe(1);
    expect(e.stderr.trim()).toBe(`BAD_USER_INPUT (domains): ${empty} has no domain lines (blank lines and lines starting with # are skipped); nothing was submitted`);
    expect(await t.gateway.services.prisma.bulkJob.count()).toBe(jobs);
  }, 60_000);
});

describe('npm run bulk under a rate limit', () => {
  let r: TestGateway;
  beforeAll(async () => {
    r = await startTestGateway({ configure: (c) => ((c.poll.enabled = false), (c.limits.maxCost = 2599), (c.limits.rateLimit = { points: 2600, durationSec: 8 })) });
  }, 120_000);
  afterAll(() => r?.close());

  it("a page of items refused with RATE_LIMITED is read again after the gateway's retryAfter: the CSV has every row", async () => {
    const owner = r.keys.NewRegistrar!;
    const domains = Array.from({ length: 3 }, (_, i) => ({ name: `rl${i}-${randomUUID().slice(0, 8)}.tld` }));
    const submitted = await r.gql(owner, BULK_RENEW, { k: randomUUID(), domains });
    expect(submitted.errors).toBeUndefined();
    const id = submitted.data.bulkRenew.job.id;
    await waitFinished(r, owner, id);
    // A key that has spent most of its window (1 + 5 + 250 x 10 of 2,600): the CLI's page of items (2,511) does not fit.
    const key = (await createApiKey(r.gateway.services.prisma, 'NewRegistrar', 'cli under a rate limit')).key;
    expect((await r.gql(key, '{ commandLog(first: 250) { edges { node { id } } } }')).errors).toBeUndefined();
    const out = path.join(dir, 'rate-limited.csv');
    const attached = await cli(['attach', id, '--out', out], key, r.gateway.url);
    expect(attached.stderr).not.toContain('RATE_LIMITED');
    // Exit 2: the domains do not exist, so each item failed (OBJECT_NOT_FOUND); every row is written.
    expect(attached.code).toBe(2);
    expect(attached.stdout).toContain('3 items, 0 done, 3 failed');
    expect((await rows(out)).map((l) => [l[1], l[3], l[9]])).toEqual([['domain', 'state', 'errorCode'], ...domains.map((d) => [d.name, 'FAILED', 'OBJECT_NOT_FOUND'])]);
  }, 60_000);
});
