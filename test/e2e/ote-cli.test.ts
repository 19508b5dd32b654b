/**
 * `npm run ote` as an operator runs it (the compiled CLI as a child process): its command line is
 * read as the bulk CLI's is (src/ote/args.ts). An option it does not have is refused with the
 * closest one (before, `--registy` was skipped and the run said "--registry is required"), as are
 * a stray word, an option without its value and a misspelt GATEWAY_URL or GATEWAY_API_KEY: exit
 * 2, one line then the usage, and nothing sent (a listener at the URL sees no connection). A good
 * command line reaches the gateway at GATEWAY_URL with the key from --key-file.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { compiledGateway, REPO_ROOT, runCompiled, type ProcessResult } from '../helpers/processes.js';

let compiled: string;
let dir: string;
let t: TestGateway;
let listener: net.Server;
let listenerUrl: string;
let connections = 0;
const started: ChildProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-ote-cli-'));
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  // Where a refused run would have gone: it must see no connection.
  listener = net.createServer((s) => {
    connections++;
    s.destroy();
  });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', r));
  listenerUrl = `http://127.0.0.1:${(listener.address() as net.AddressInfo).port}/graphql`;
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await new Promise((r) => listener?.close(r));
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of an operator's shell: none of the test run's GATEWAY_ settings. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (/^gateway_/i.test(k)) delete env[k];
  return { ...env, ...extra };
}

function ote(args: string[], env: Record<string, string>): Promise<ProcessResult> {
  return runCompiled(compiled, 'src/ote/cli.js', args, { cwd: REPO_ROOT, env: userEnv(env), started });
}

const REQUIRED = ['--registry', 'sandbox-headless', '--registrar', 'NewRegistrar'];

describe('npm run ote: bad usage is refused (exit 2, one line, the usage), nothing sent', () => {
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['a misspelt option, named with the closest', ['--registy', 'sandbox-headless', '--registrar', 'NewRegistrar', '--out', 'x'], {}, /^ote: unknown option --registy \(did you mean --registry\?\)$/],
    ['a misspelt option in --name=value form', [...REQUIRED, '--out', 'x', '--pol-wait-ms=5'], {}, /^ote: unknown option --pol-wait-ms \(did you mean --poll-wait-ms\?\)$/],
    ['a stray word', [...REQUIRED, '--out', 'x', 'extra'], {}, /^ote: Unexpected argument 'extra'/],
    ['an option without its value', [...REQUIRED, '--out', 'x', '--url'], {}, /^ote: Option '--url <value>' argument missing$/],
    ['a required option missing', REQUIRED, {}, /^ote: --out is required$/],
    ['--poll-wait-ms that is not whole milliseconds', [...REQUIRED, '--out', 'x', '--poll-wait-ms', '60s'], {}, /^ote: --poll-wait-ms is a whole number of milliseconds/],
    ['a URL that is not http(s), never quoted', [...REQUIRED, '--out', 'x', '--url', 'ftp://user:pw@host/graphql'], {}, /^ote: --url must be the gateway's http:\/\/ or https:\/\/ GraphQL URL/],
    ['GATEWAY_URL misspelt, GATEWAY_URL unset', [...REQUIRED, '--out', 'x'], { GATEWAY_ULR: 'LISTENER', GATEWAY_API_KEY: 'rgw_x' }, /^ote: GATEWAY_ULR is set but GATEWAY_URL is not: did you mean GATEWAY_URL\? \(or pass --url\)$/],
    ['GATEWAY_API_KEY misspelt, GATEWAY_API_KEY unset', [...REQUIRED, '--out', 'x'], { GATEWAY_URL: 'LISTENER', GATEWAY_APIKEY: 'rgw_secret_value' }, /^ote: GATEWAY_APIKEY is set but GATEWAY_API_KEY is not: did you mean GATEWAY_API_KEY\? \(or pass --key-file\)$/],
    ['no key at all', [...REQUIRED, '--out', 'x'], { GATEWAY_URL: 'LISTENER' }, /^ote: set GATEWAY_API_KEY or pass --key-file$/],
    // Other GATEWAY_ variables are not misspellings: the run goes past them to what is really missing (here the key; nothing is sent either way).
    ['GATEWAY_PORT and GATEWAY_HOST set, GATEWAY_URL unset: not taken for GATEWAY_URL', [...REQUIRED, '--out', 'x'], { GATEWAY_PORT: '4000', GATEWAY_HOST: '127.0.0.1' }, /^ote: set GATEWAY_API_KEY or pass --key-file$/],
    ["the gateway's own GATEWAY_CONFIG set, no key: not taken for GATEWAY_API_KEY", [...REQUIRED, '--out', 'x'], { GATEWAY_URL: 'LISTENER', GATEWAY_CONFIG: 'gateway.config.json' }, /^ote: set GATEWAY_API_KEY or pass --key-file$/],
    ['a key file that does not exist', [...REQUIRED, '--out', 'x', '--key-file', '/nonexistent/key'], { GATEWAY_URL: 'LISTENER' }, /^ote: --key-file \/nonexistent\/key: no such file$/],
  ];
  it.each(cases)('%s', async (_what, args, env, line) => {
    const before = connections;
    const withUrl = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === 'LISTENER' ? listenerUrl : v]));
    const r = await ote(args.map((a) => (a === 'LISTENER' ? listenerUrl : a)), withUrl);
    expect(r.code, r.stderr).toBe(2);
    const [first, ...rest] = r.stderr.trimEnd().split('\n');
    expect(first).toMatch(line);
    expect(rest[0]).toMatch(/^usage: npm run ote -- --registry <backend> --registrar <id> --out <dir> \[options\]$/);
    expect(r.stdout).toBe('');
    expect(r.stderr).not.toContain('rgw_secret_value');
    expect(r.stderr).not.toContain('user:pw');
    expect(connections).toBe(before);
  });

  it('--help prints the usage on stdout, exit 0', async () => {
    const r = await ote(['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run ote -- /);
    expect(r.stdout).toContain('--url URL');
    expect(r.stderr).toBe('');
  });
});

describe('npm run ote: a good command line', () => {
  it('reaches the gateway at GATEWAY_URL with the key from --key-file, --name=value forms taken', async () => {
    const keyFile = path.join(dir, 'key');
    await writeFile(keyFile, `${t.keys.NewRegistrar!}\n`);
    const out = path.join(dir, 'archive');
    // An EPP registry: step 1 reads its account through the gateway (the key is taken) and finds no GET /status; nothing is changed.
    const r = await ote(['--registry=sandbox-epp', '--registrar=NewRegistrar', `--out=${out}`, `--key-file=${keyFile}`, '--poll-wait-ms=0'], { GATEWAY_URL: t.gateway.url });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/^\[ 1\/12\] status .*sandbox-epp reports no account status \(not a HeadlessDomains registry\?\)/m);
    expect(r.stdout + r.stderr).not.toContain(t.keys.NewRegistrar!);
    expect((await readdir(out)).sort()).toContain('evidence-archive.md');
  });
});
