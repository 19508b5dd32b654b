/**
 * The OT&E runner's command line (`npm run ote -- ...`), read as the bulk CLI reads its own (the
 * other program that talks to a running gateway): node:util's parseArgs through parseOptions
 * (src/cli/options.ts), so an option it does not have is refused with the one it is closest to
 * (`unknown option --registy (did you mean --registry?)`), as are a missing value and a stray
 * word; before, `--registy x` was skipped without a word and the run said "--registry is
 * required", and `--url` without a value took the next flag as the URL.
 *
 * Its settings are not the gateway's configuration: the runner never opens the gateway's database
 * or config file, and speaks to the gateway only over GraphQL, at `--url` (else GATEWAY_URL, else
 * http://127.0.0.1:4000/graphql, as `npm run bulk`), with the key from GATEWAY_API_KEY or
 * `--key-file`. An environment variable that is a misspelling of GATEWAY_URL or GATEWAY_API_KEY
 * while the real one is unset (`GATEWAY_ULR`, `gateway_api_key`, `GATEWAY_APIKEY`) is refused,
 * naming it: the run would otherwise reset the OT&E fixtures of the default gateway, or say only
 * that no key was given. A misspelling is one slip (see misspelt); before, any GATEWAY_ name
 * graphql-js would suggest counted, so GATEWAY_PORT or GATEWAY_HOST stopped a run with GATEWAY_URL
 * unset, and the gateway's own GATEWAY_CONFIG was taken for GATEWAY_API_KEY.
 */
import { readFileSync } from 'node:fs';
import { gatewayUrl } from '../bulk/cli/args.js';
import { isGatewayVariable } from '../config-keys.js';
import { parseOptions, UsageError } from '../cli/options.js';
import type { OteOptions } from './runner.js';

/** The usage text printed by --help and after a refused command line (exit 2). */
export const USAGE = `usage: npm run ote -- --registry <backend> --registrar <id> --out <dir> [options]
options: --url URL                  the gateway's GraphQL URL (env GATEWAY_URL; default http://127.0.0.1:4000/graphql)
         --key-file FILE            the API key on its first line (else env GATEWAY_API_KEY; never a flag)
         --client-name TEXT  --support-contact TEXT  --technical-contact TEXT  --registry-run-id ID
                                    evidence only the operator knows, written into the archive
         --poll-wait-ms MS          how long step 11 waits for the registry's audit rows (default 60000)
         --help                     this text
exit codes: 0 every step held, 1 a step did not (or the gateway could not be reached), 2 bad usage
README: "The OT&E runner"`;

/** What the runner takes from the command line and the environment (runOte's options, without `log`). */
export type OteArgs = Omit<OteOptions, 'log'>;

/** Environment variables the runner reads (a name close to one of them, while it is unset, is a misspelling). */
const VARIABLES = ['GATEWAY_URL', 'GATEWAY_API_KEY'] as const;

/**
 * Edits (a letter inserted, dropped or replaced, or two neighbours swapped: the optimal string
 * alignment distance) between `a` and `b`, stopping at `max` + 1.
 */
function edits(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return Math.min(d[a.length]![b.length]!, max + 1);
}

/** A name as compared for misspellings: upper case, without `_` and `-`. */
const folded = (k: string) => k.toUpperCase().replace(/[_-]/g, '');

/**
 * A variable set in `env` that is a misspelling of `name` while `name` itself is unset or empty:
 * one slip away once letter case, `_` and `-` are set aside (a letter more, less, wrong, or two
 * swapped: `GATEWAY_ULR`, `GATEWAY_URI`, `gateway_url`, `GATEWAY_APIKEY`, `GATEWAY_API_KEYS`).
 * Only names that begin with GATEWAY count, and never one the gateway or its tools read (isGatewayVariable:
 * GATEWAY_CONFIG, the account credentials); another word after the prefix (GATEWAY_PORT,
 * GATEWAY_HOST) is not a misspelling.
 */
function misspelt(env: NodeJS.ProcessEnv, name: (typeof VARIABLES)[number]): string | undefined {
  if (env[name]) return undefined;
  const set = Object.keys(env).filter((k) => env[k] && /^gateway/i.test(k) && !isGatewayVariable(k));
  const close = set.map((k) => ({ k, n: edits(folded(k), folded(name), 1) })).filter((c) => c.n <= 1);
  return close.sort((x, y) => x.n - y.n)[0]?.k;
}

/** The first line of the key file, trimmed; UsageError naming the option when it cannot be read. */
function keyFromFile(file: string): string {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'not readable (permission denied)' : (e as Error).message;
    throw new UsageError(`--key-file ${file.slice(0, 200)}: ${why}`);
  }
}

/**
 * Reads `argv` (after the script name) and `env`: 'help' for --help / -h, else the run's options.
 * Throws UsageError (one line; the CLI prints the usage after it and exits 2) for an unknown
 * option (with the closest), a missing value, a stray word, a required option missing, a URL
 * that is not http(s) (never quoted: it may hold a password), a --poll-wait-ms that is not whole
 * milliseconds, a key file that cannot be read, no API key, and a misspelt GATEWAY_URL or
 * GATEWAY_API_KEY (see the module's note). GATEWAY_*_TOKEN values become `secrets`.
 */
export function parseOteArgs(argv: string[], env: NodeJS.ProcessEnv): OteArgs | 'help' {
  const { values } = parseOptions({
    args: argv,
    allowPositionals: false,
    options: {
      registry: { type: 'string' },
      registrar: { type: 'string' },
      out: { type: 'string' },
      url: { type: 'string' },
      'key-file': { type: 'string' },
      'client-name': { type: 'string' },
      'support-contact': { type: 'string' },
      'technical-contact': { type: 'string' },
      'registry-run-id': { type: 'string' },
      'poll-wait-ms': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  for (const required of ['registry', 'registrar', 'out'] as const) {
    if (!values[required]) throw new UsageError(`--${required} is required`);
  }
  if (values.url === undefined) {
    const close = misspelt(env, 'GATEWAY_URL');
    if (close) throw new UsageError(`${close.slice(0, 64)} is set but GATEWAY_URL is not: did you mean GATEWAY_URL? (or pass --url)`);
  }
  let url: string;
  try {
    url = gatewayUrl(values.url, env.GATEWAY_URL);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  let pollWaitMs: number | undefined;
  if (values['poll-wait-ms'] !== undefined) {
    if (!/^\d{1,9}$/.test(values['poll-wait-ms'])) throw new UsageError('--poll-wait-ms is a whole number of milliseconds, 0 to 999999999');
    pollWaitMs = Number(values['poll-wait-ms']);
  }
  const apiKey = values['key-file'] !== undefined ? keyFromFile(values['key-file']) : (env.GATEWAY_API_KEY ?? '').trim();
  if (!apiKey) {
    const close = values['key-file'] === undefined ? misspelt(env, 'GATEWAY_API_KEY') : undefined;
    if (close) throw new UsageError(`${close.slice(0, 64)} is set but GATEWAY_API_KEY is not: did you mean GATEWAY_API_KEY? (or pass --key-file)`);
    throw new UsageError(values['key-file'] !== undefined ? `--key-file ${values['key-file'].slice(0, 200)}: its first line is empty` : 'set GATEWAY_API_KEY or pass --key-file');
  }
  return {
    url,
    apiKey,
    registry: values.registry!,
    registrar: values.registrar!,
    out: values.out!,
    operator: {
      clientName: values['client-name'],
      supportContact: values['support-contact'],
      technicalContact: values['technical-contact'],
      registryRunId: values['registry-run-id'],
    },
    pollWaitMs,
    secrets: Object.entries(env).flatMap(([k, v]) => (/^GATEWAY_.*_TOKEN$/.test(k) && v ? [v] : [])),
  };
}
