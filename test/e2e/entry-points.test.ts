/**
 * The command-line entry points as a user runs them: `--help` / `-h` prints the usage (what it
 * does, its flags, the environment it reads, the README section) on stdout and exits 0 without
 * starting anything (the gateway and the sandbox processes end by themselves and leave no ./data);
 * a configuration error is printed as its message and file, with no stack trace, and exits 1;
 * `npm run sandbox` execs node, so npm's SIGTERM stops the sandboxes instead of orphaning them.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { compiledGateway, REPO_ROOT, runCompiled, type ProcessResult } from '../helpers/processes.js';

let compiled: string;
let dir: string;
const started: ChildProcess[] = [];

beforeAll(async () => {
  compiled = await compiledGateway();
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-entry-'));
}, 120_000);
afterAll(async () => {
  for (const c of started) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The environment of a user's shell: nothing of the test run's configuration. */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['GATEWAY_CONFIG', 'DATABASE_URL', 'IDEMPOTENCY_KEY_SECRET', 'IDEMPOTENCY_KEY_FILE', 'PORT', 'HOST', 'DATA_DIR', 'SHUTDOWN_DELAY_MS']) delete env[k];
  return { ...env, ...extra };
}

/** Runs a compiled script in `cwd` and waits for it to end by itself. */
function run(script: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<ProcessResult> {
  return runCompiled(compiled, script, args, { cwd, env, started });
}

const STACK_LINE = /^\s+at /m;

describe('--help', () => {
  it('the gateway (src/main.ts, bundled as npm start runs it) prints its usage and exits 0 without starting: no ./data, no listener', async () => {
    const cwd = await mkdtemp(path.join(dir, 'main-'));
    for (const flag of ['--help', '-h']) {
      const r = await run('bundle/main.js', [flag], cwd);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: npm start/);
      for (const s of ['gateway.config.json', 'GATEWAY_CONFIG', 'DATABASE_URL', 'PORT', 'HOST', 'IDEMPOTENCY_KEY_SECRET', 'README: "Start", "Configuration"']) expect(r.stdout).toContain(s);
    }
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);

  it('the sandbox process (src/sandbox/main.ts) prints its usage and exits 0 without starting sandboxes', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await run('src/sandbox/main.js', [flag], dir);
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
      expect(r.stdout).toMatch(/^usage: npm run sandbox/);
      for (const s of ['--port N', '--data-dir DIR', 'SANDBOX_HOST', 'README: "Start"']) expect(r.stdout).toContain(s);
      expect(r.stdout).not.toContain('{"backends":['); // the line started sandboxes print
    }
  }, 60_000);

  it('key:create prints its usage and exits 0 without opening a database', async () => {
    const cwd = await mkdtemp(path.join(dir, 'key-'));
    for (const flag of ['--help', '-h']) {
      const r = await run('src/auth/create-api-key.cli.js', [flag], cwd);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^usage: npm run key:create -- --registrar <id>/);
      for (const s of ['DATABASE_URL', 'DATA_DIR', 'README: "Configuration"']) expect(r.stdout).toContain(s);
    }
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);
});

describe('the gateway\'s command line', () => {
  // Review defect: the gateway ignored what it did not know, so `npm start -- --port 4591` (or a
  // misspelt `--prot 5`) came up on PORT without a word. Here PORT is taken, so a gateway that
  // ignored the option would open its database under DATA_DIR and then exit 1 on the listen.
  it('an unknown option or a stray word: one line naming it and where the setting comes from, the usage, exit 2; no configuration read, no data directory made', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = String((holder.address() as AddressInfo).port);
    const viaEnv = (v: string) => `(the gateway takes ${v} from the environment or the config file; see --help)`;
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--prot', '5'], {}, `unknown option --prot ${viaEnv('PORT')}`],
      [['--port', '4591'], {}, `unknown option --port ${viaEnv('PORT')}`],
      [['--port=4591'], {}, `unknown option --port ${viaEnv('PORT')}`],
      [['--data-dir', '/tmp/elsewhere'], {}, `unknown option --data-dir ${viaEnv('DATA_DIR')}`],
      // Named with its own variable, not the closest other one (it said SHUTDOWN_DELAY_MS: a trial).
      [['--shutdown-drain-ms', '2000'], {}, `unknown option --shutdown-drain-ms ${viaEnv('SHUTDOWN_DRAIN_MS')}`],
      [['--verbose'], {}, "unknown option --verbose (the gateway's only option is --help; it takes its settings from the environment and the config file)"],
      [['start'], {}, 'unexpected argument "start" (the gateway takes no arguments; it takes its settings from the environment and the config file; see --help)'],
      // Refused before the configuration is read: not the PORT=abc refusal (exit 1).
      [['--port', '4591'], { PORT: 'abc' }, `unknown option --port ${viaEnv('PORT')}`],
    ];
    try {
      for (const [args, extra, line] of cases) {
        const cwd = await mkdtemp(path.join(dir, 'args-'));
        const r = await run('bundle/main.js', args, cwd, userEnv({ PORT: taken, HOST: '127.0.0.1', DATA_DIR: path.join(cwd, 'gateway-data'), LOG_LEVEL: 'silent', ...extra }));
        const [first, usage] = r.stderr.split('\n');
        expect({ args, first, usage, stdout: r.stdout, code: r.code }).toEqual({ args, first: line, usage: expect.stringMatching(/^usage: npm start/), stdout: '', code: 2 });
        expect(await readdir(cwd)).toEqual([]); // no gateway-data: no database opened or created
      }
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 120_000);
});

describe('a configuration error', () => {
  const expectNoStack = (r: { stderr: string; stdout: string }) => {
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(r.stdout).not.toMatch(STACK_LINE);
  };

  it('in gateway.config.json: the message, the setting and the file; no stack trace; exit 1', async () => {
    const cwd = await mkdtemp(path.join(dir, 'bad-'));
    const file = path.join(cwd, 'gateway.config.json');
    await writeFile(file, JSON.stringify({ limits: { maxDepth: 0 } }));
    const r = await run('bundle/main.js', [], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['config: limits.maxDepth must be a whole number, 1 or more', `  (config file ${file}; README "Configuration")`]);
    expectNoStack(r);
  }, 60_000);

  it('a config file that is not JSON: says so with the file and the parser\'s reason; no stack trace', async () => {
    const cwd = await mkdtemp(path.join(dir, 'json-'));
    const file = path.join(cwd, 'my.config.json');
    await writeFile(file, '{ "port": 4000, }');
    const r = await run('bundle/main.js', [], cwd, userEnv({ GATEWAY_CONFIG: file }));
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`config: ${file} is not valid JSON (`);
    expectNoStack(r);
  }, 60_000);

  it('a value of the wrong type ("backends": {}): says the file does not have the expected shape; no stack trace', async () => {
    const cwd = await mkdtemp(path.join(dir, 'shape-'));
    const file = path.join(cwd, 'gateway.config.json');
    await writeFile(file, JSON.stringify({ backends: {} }));
    const r = await run('bundle/main.js', [], cwd);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`config: ${file} does not have the expected shape (`);
    expectNoStack(r);
  }, 60_000);

  it('in an environment variable: the message naming it; no stack trace', async () => {
    const cwd = await mkdtemp(path.join(dir, 'env-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ SHUTDOWN_DELAY_MS: 'soon' }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('config: shutdownDelayMs (SHUTDOWN_DELAY_MS) must be a number of milliseconds, 0 to 2147483647');
    expectNoStack(r);
  }, 60_000);

  it('PORT=abc: one line naming PORT, exit 1 (it was a RangeError [ERR_SOCKET_BAD_PORT] stack trace)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'port-'));
    const r = await run('bundle/main.js', [], cwd, userEnv({ PORT: 'abc' }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('config: PORT must be a whole number from 0 to 65535');
    expectNoStack(r);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);

  it('a bulk setting (once checked only after the database opened, now with the rest of the configuration): the message and the file, exit 1, no data directory made', async () => {
    const cwd = await mkdtemp(path.join(dir, 'start-'));
    const file = path.join(cwd, 'gateway.config.json');
    await writeFile(file, JSON.stringify({ bulk: { concurrency: 0 } }));
    const r = await run('bundle/main.js', [], cwd, userEnv({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }));
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual(['config: bulk.concurrency must be a whole number, 1 or more', `  (config file ${file}; README "Configuration")`]);
    expectNoStack(r);
    expect(existsSync(path.join(cwd, 'data'))).toBe(false);
  }, 60_000);
});

describe('a listen failure', () => {
  it.each([
    ['a PORT already in use', 'EADDRINUSE', /^listen: cannot listen on 127\.0\.0\.1:(\d+): PORT \1 is already in use on HOST 127\.0\.0\.1 \(EADDRINUSE\); stop what holds it or set PORT \(config "port"\) to a free port$/],
    ['a HOST that is not an address of this machine', 'EADDRNOTAVAIL', /^listen: cannot listen on 192\.0\.2\.1:0: HOST 192\.0\.2\.1 is not an address of this machine \(EADDRNOTAVAIL\); set HOST \(config "host"\) to one of its addresses, or 0\.0\.0\.0 for all$/],
  ])('%s: one line naming PORT/HOST and the cause, no "WebSocket server error", exit 1 (it hung, holding ./data)', async (_name, code, line) => {
    const cwd = await mkdtemp(path.join(dir, `listen-${code}-`));
    // What holds the port: a plain listener of this test, on the address the gateway is told to use.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const taken = (holder.address() as AddressInfo).port;
    try {
      const env = code === 'EADDRINUSE' ? { PORT: String(taken), HOST: '127.0.0.1' } : { PORT: '0', HOST: '192.0.2.1' };
      const r = await run('bundle/main.js', [], cwd, userEnv(env));
      expect(r.code).toBe(1);
      expect(r.stderr.trim()).toMatch(line);
      if (code === 'EADDRINUSE') expect(r.stderr).toContain(`PORT ${taken} `);
      expect(r.stdout).not.toContain('WebSocket server error');
      expect(r.stdout).not.toContain('gateway listening');
      expectNoStackTrace(r);
      // It stopped what it had started: the embedded database's lock is released.
      expect(existsSync(path.join(cwd, 'data', 'pglite.lock'))).toBe(false);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  }, 120_000);
});

const expectNoStackTrace = (r: { stderr: string; stdout: string }) => {
  expect(r.stderr).not.toMatch(STACK_LINE);
  expect(r.stdout).not.toMatch(STACK_LINE);
};

/** Process ids under `pid` (children, theirs, ...), from ps. */
function descendants(pid: number): number[] {
  const rows = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number) as [number, number]);
  const out: number[] = [];
  const walk = (p: number) => {
    for (const [child, parent] of rows) if (parent === p) (out.push(child), walk(child));
  };
  walk(pid);
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('npm run sandbox', () => {
  /** `node dist/src/sandbox/main.js ...args` in `cwd`: the child and the one line it prints once its sandboxes listen. */
  async function sandboxProcess(cwd: string, args: string[] = []): Promise<{ child: ChildProcess; line: string }> {
    const child = spawn(process.execPath, ['--import', pathToFileURL(path.join(compiled, 'helpers.mjs')).href, path.join(compiled, 'src/sandbox/main.js'), ...args], { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    let out = '';
    const line = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (b: Buffer) => ((out += b.toString()), out.includes('\n') && resolve(out.slice(0, out.indexOf('\n')))));
      child.on('exit', () => reject(new Error(`the sandboxes ended before printing:\n${out}`)));
    });
    return { child, line };
  }

  it('prints a line that, saved as the config file, is a whole config the gateway takes (registrars, backends, routes)', async () => {
    const cwd = await mkdtemp(path.join(dir, 'sandbox-config-'));
    const { child, line } = await sandboxProcess(cwd);
    try {
      await writeFile(path.join(cwd, 'gateway.config.json'), line);
      // What the gateway reads at its start (a file with backends gets nothing of the zero-setup start).
      const config = loadConfig(userEnv(), cwd);
      expect(config.registrars.map((r) => r.id).sort()).toEqual(['NewRegistrar', 'TheRegistrar']);
      expect(config.backends.map((b) => b.name).sort()).toEqual(['sandbox-epp', 'sandbox-nomulus']);
      expect(config.routes.length).toBeGreaterThan(0);
    } finally {
      child.kill('SIGTERM');
    }
  }, 60_000);

  it('with --data-dir, a restart serves the same certificate, so gateways given the first start\'s CA still trust it', async () => {
    // The certificate was made anew at every start while the state was kept: every gateway then
    // failed its sessions (TLS certificate verification failed) until given the new line.
    const cwd = await mkdtemp(path.join(dir, 'sandbox-data-'));
    const start = async (): Promise<string[]> => {
      const { child, line } = await sandboxProcess(cwd, ['--data-dir', path.join(cwd, 'state')]);
      try {
        return (JSON.parse(line) as { backends: Array<{ tls: { ca: string } }> }).backends.map((b) => b.tls.ca);
      } finally {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
    };
    const first = await start();
    const second = await start();
    expect(first[0]).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(second).toEqual(first);
  }, 60_000);

  it('with --data-dir, a second process on the same folder is refused (one line, exit 1) while the first runs, and starts once it stopped', async () => {
    // Two processes writing one state folder each overwrote the other's registries, without a word.
    const cwd = await mkdtemp(path.join(dir, 'sandbox-lock-'));
    const state = path.join(cwd, 'state');
    const first = await sandboxProcess(cwd, ['--data-dir', state]);
    try {
      const second = await run('src/sandbox/main.js', ['--data-dir', state], cwd);
      expect(second.code).toBe(1);
      expect(second.stdout).toBe('');
      expect(second.stderr).toBe(`data directory: the sandboxes' state ${state} is in use by process ${first.child.pid} (lock file ${state}.lock); stop that process (another \`npm run sandbox\` or a gateway with sandboxes on the same folder) or give this one another --data-dir\n`);
    } finally {
      const exited = new Promise((r) => first.child.once('exit', r));
      first.child.kill('SIGTERM');
      await exited;
    }
    const again = await sandboxProcess(cwd, ['--data-dir', state]);
    const exited = new Promise((r) => again.child.once('exit', r));
    again.child.kill('SIGTERM');
    await exited;
    expect(existsSync(`${state}.lock`)).toBe(false);
  }, 60_000);

  it('SIGTERM to the npm process stops the sandboxes too (the script execs node)', async () => {
    // package.json's own `sandbox` script, in a project whose build is already done (dist: this
    // test run's compiled tree; its build script ignores the --quiet the sandbox script passes
    // it), so npm runs exactly what a user's `npm run sandbox` runs after it.
    const { scripts } = JSON.parse(await readFile(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const project = await mkdtemp(path.join(dir, 'npm-'));
    await writeFile(path.join(project, 'package.json'), JSON.stringify({ name: 'sandbox-script', private: true, type: 'module', scripts: { build: 'true', sandbox: scripts.sandbox } }));
    await symlink(compiled, path.join(project, 'dist'));
    const npm = spawn('npm', ['run', '--silent', 'sandbox'], {
      cwd: project,
      env: userEnv({ NODE_OPTIONS: `--import ${pathToFileURL(path.join(compiled, 'helpers.mjs')).href}` }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    started.push(npm);
    let out = '';
    npm.stderr!.on('data', (b: Buffer) => (out += b.toString()));
    const npmExited = new Promise<void>((r) => npm.on('exit', () => r()));
    // The sandboxes print their backends once they listen.
    await new Promise<void>((resolve, reject) => {
      npm.stdout!.on('data', (b: Buffer) => ((out += b.toString()), out.includes('"backends"') && resolve()));
      npm.on('exit', () => reject(new Error(`npm run sandbox ended before the sandboxes started:\n${out}`)));
    });
    const under = descendants(npm.pid!);
    expect(under.length).toBeGreaterThan(0);
    try {
      npm.kill('SIGTERM');
      await npmExited;
      // A liveness guard, not a measurement: a sandbox still there after this long was orphaned.
      for (let waited = 0; under.some(alive) && waited < 20_000; waited += 100) await new Promise((r) => setTimeout(r, 100));
      expect(under.filter(alive)).toEqual([]);
    } finally {
      for (const pid of under.filter(alive)) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
