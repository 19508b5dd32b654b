/**
 * The bulk CLI's command line: `<kind> [options]`, `attach <job id>` or `cancel <job id>`, read with node:util's
 * parseArgs. Files hold one domain a line as CSV (`name`, `name,currentExpiry` for renew,
 * `name,authCode` for transfer; a field may be quoted, RFC 4180); blank lines and lines starting
 * with # are skipped.
 */
import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';
import { parseOptions, UsageError } from '../../cli/options.js';
import { quoted } from '../../core/errors.js';
import { parseCalendarDate } from '../../core/time.js';
import { isUuid } from '../../validation/ids.js';
import { CsvError, parseCsv, quotedField, type CsvRecord } from './csv.js';

/** The CLI's job kinds, each the kebab-case of a BulkKind (renew -> RENEW, bulkRenew). */
export const KINDS = ['renew', 'transfer', 'replace-nameserver', 'replace-tech-contact', 'update-statuses'] as const;
/** One of KINDS. */
export type CliKind = (typeof KINDS)[number];

/**
 * A parsed command line (parseCli): `period` from `--period 1y|6m` (at most 3 digits; the gateway
 * checks the range), `add`/`remove` the statuses of update-statuses, `jobId` for attach and cancel.
 */
export interface CliOptions {
  command: CliKind | 'attach' | 'cancel';
  jobId?: string;
  url: string;
  apiKey: string;
  file?: string;
  period?: { value: number; unit: 'YEARS' | 'MONTHS' };
  from?: string;
  to?: string;
  add: string[];
  remove: string[];
  out?: string;
  idempotencyKey?: string;
  /** Reconnects to try when the subscription's connection drops, before giving up (exit 3); default 5. */
  retries: number;
  /** Given with --api-key (not GATEWAY_API_KEY): the attach hint then asks for it again, without printing it. */
  apiKeyFlag: boolean;
  /** The --key-file the key was read from (its first line), if any: the attach hint names the file again. */
  keyFile?: string;
}

/** The CLI's --help text and the usage an unclear command line prints (README "The bulk CLI"). */
export const USAGE = `usage: npm run bulk -- <kind> [options]      submit a bulk job to the gateway, follow it, write a CSV
       npm run bulk -- attach <job id> [--out f]  follow a running (or finished) job
       npm run bulk -- cancel <job id> [--out f]  cancel a job (items not started are not sent), print its counts,
                                                  write the CSV of its items as they stand then
       npm run bulk -- --help                     this text
kinds: renew --file names.txt [--period 1y|6m]          (lines: name[,currentExpiry], e.g. a.tld,2030-12-02)
       transfer --file codes.txt [--period 1y]          (lines: name,authCode)
       replace-nameserver --from ns1.old --to ns1.new [--file names.txt]   (no file: every domain)
       replace-tech-contact --from OLD-ID --to NEW-ID [--file names.txt]  (no file: every domain)
       update-statuses --file names.txt [--add clientHold] [--remove clientTransferProhibited]
options: --url http://127.0.0.1:4000/graphql (env GATEWAY_URL)
         --key-file FILE  the API key on its first line (else env GATEWAY_API_KEY; --api-key KEY works too,
         but npm echoes the command line and ps shows it: the key would be in logs)
         --out results.csv (default: bulk-<job id>.csv)   --idempotency-key K (default: derived from the
         kind, its own options (a default given or left out alike: --period 1y is no --period) and the
         file, so running the same command again re-attaches to its job; for cancel, from the job id,
         so a cancel run again is the same request)
         each command takes only the options shown for it and these (attach: --out, --retries; cancel:
         --out, --idempotency-key); another command's option is refused
         --retries N  reconnects when the connection to the gateway drops while following (default 5)
exit codes: 0 every item succeeded, 2 some failed or were cancelled, 3 the connection to the gateway
         was lost while following (the job keeps running: attach to it again), 130 Ctrl-C, 1 any other error
         (a command line it cannot take included: a job id that is not a UUID, nothing sent);
         cancel: 0 once the gateway took the cancel (or the job had finished), 1 any error
README: "The bulk CLI" (under Bulk mutations)`;

/**
 * The first line of `--key-file`'s file, trimmed (as `npm run ote -- --key-file` reads it). Throws
 * a one-line Error naming the option and the path (never the file's content) when it cannot be
 * read or its first line is empty.
 */
function keyFromFile(file: string): string {
  let key: string;
  try {
    key = readFileSync(file, 'utf8').split(/\r?\n/)[0]!.trim();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'not readable (permission denied)' : (e as Error).message;
    throw new Error(`--key-file ${file.slice(0, 200)}: ${why}`);
  }
  if (!key) throw new Error(`--key-file ${file.slice(0, 200)}: its first line is empty (it should hold the API key)`);
  return key;
}

/** Every option of the CLI, as node:util's parseArgs reads them; each command takes some of them (OWN_OPTIONS). */
const OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  'key-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  file: { type: 'string' },
  period: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  add: { type: 'string', multiple: true },
  remove: { type: 'string', multiple: true },
  out: { type: 'string' },
  'idempotency-key': { type: 'string' },
  retries: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;
type OptionName = keyof typeof OPTIONS;

/** Options every command takes: where the gateway is, the API key, --help. */
const CONNECTION: readonly OptionName[] = ['url', 'api-key', 'key-file', 'help'];
/** What following a submitted job takes: where the CSV goes, the job's key, reconnects. */
const SUBMIT: readonly OptionName[] = ['out', 'idempotency-key', 'retries'];

/**
 * Each command's own options besides CONNECTION (USAGE): any other is refused (optionsOf), since
 * one it ignored still changed the job's idempotency key before, so `renew --from ns1.x` submitted
 * a second job that renewed every domain again. attach submits nothing (no --idempotency-key);
 * cancel follows nothing (no --retries).
 */
const OWN_OPTIONS: Record<CliOptions['command'], readonly OptionName[]> = {
  renew: ['file', 'period', ...SUBMIT],
  transfer: ['file', 'period', ...SUBMIT],
  'replace-nameserver': ['from', 'to', 'file', ...SUBMIT],
  'replace-tech-contact': ['from', 'to', 'file', ...SUBMIT],
  'update-statuses': ['file', 'add', 'remove', ...SUBMIT],
  attach: ['out', 'retries'],
  cancel: ['out', 'idempotency-key'],
};

const isCommand = (w: string | undefined): w is CliOptions['command'] => w !== undefined && Object.hasOwn(OWN_OPTIONS, w);

/**
 * The command of `argv`: its first word that is one (`<kind> [options]`; a word before it is
 * refused later as left over), or undefined (`--help` alone, an unknown command); `help`: --help
 * or -h is among its options. Read leniently
 * (an unknown option is taken as a flag here: the strict read with the command's own options
 * refuses it, suggesting one of those).
 */
function commandOf(argv: string[]): { command?: CliOptions['command']; help: boolean } {
  const { values, positionals } = parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS });
  return { command: positionals.find(isCommand), help: values.help === true };
}

/**
 * The parseArgs options `command` takes (CONNECTION and OWN_OPTIONS). Throws UsageError naming
 * the option, the command, the commands it belongs to and what the command takes, for an option
 * of the CLI that `command` does not take, before anything is read or sent (a misspelt one is
 * refused by the strict read after this, with the closest of the command's own).
 */
function optionsOf(command: CliOptions['command'], argv: string[]): Partial<typeof OPTIONS> {
  const own: readonly OptionName[] = [...OWN_OPTIONS[command], ...CONNECTION.filter((o) => o !== 'help')];
  for (const t of parseArgs({ args: argv, allowPositionals: true, strict: false, options: OPTIONS, tokens: true }).tokens) {
    if (t.kind !== 'option' || !Object.hasOwn(OPTIONS, t.name) || own.includes(t.name as OptionName)) continue;
    const of = (Object.keys(OWN_OPTIONS) as Array<CliOptions['command']>).filter((c) => OWN_OPTIONS[c].includes(t.name as OptionName));
    throw new UsageError(`${command} does not take --${t.name} (an option of ${of.join(', ')}); ${command} takes ${own.map((o) => `--${o}`).join(', ')}`);
  }
  return Object.fromEntries([...CONNECTION, ...OWN_OPTIONS[command]].map((name) => [name, OPTIONS[name]]));
}

/**
 * Parses `argv` (after the script name): 'help' for --help / -h (before anything else is checked);
 * throws a one-line UsageError for an option its command does not take (optionsOf: another
 * command's, or a misspelt one, named with the closest the command takes), an Error with the usage
 * on anything else unclear (attach's or cancel's job id that is not a UUID, checked last: quoted by
 * its first 32 characters at most), and a one-line Error (no usage) when neither
 * --api-key, --key-file nor GATEWAY_API_KEY gives a key, when both flags are given, or when the
 * key file cannot be read or its first line is empty.
 */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv): CliOptions | 'help' {
  const known = commandOf(argv);
  if (known.help) return 'help';
  // Typed as every option: those the command does not take are refused, so they are undefined.
  const options = (known.command ? optionsOf(known.command, argv) : OPTIONS) as typeof OPTIONS;
  const { values, positionals } = parseOptions({ args: argv, allowPositionals: true, options });
  if (values.help) return 'help';
  // An option given an empty or blank value (`--period ""`, `--period=`, an unset shell variable)
  // is refused, not taken as left out: `--period "$P"` with P unset renewed for the default year.
  for (const [name, value] of Object.entries(values)) {
    if ((Array.isArray(value) ? value : [value]).some((v) => typeof v === 'string' && v.trim() === '')) throw new UsageError(`--${name} is empty: give it a value, or leave the option out`);
  }
  const [command, jobId] = positionals;
  if (command !== 'attach' && command !== 'cancel' && !KINDS.includes(command as CliKind)) {
    const [close] = command ? suggestionList(command, Object.keys(OWN_OPTIONS)) : [];
    throw new Error(`unknown command ${JSON.stringify((command ?? '').slice(0, 32))}${close ? ` (did you mean ${close}?)` : ''}\n${USAGE}`);
  }
  if ((command === 'attach' || command === 'cancel') && !jobId) throw new Error(`${command} needs a job id\n${USAGE}`);
  // A word left over (`renew names.txt`, a flag's value without its flag) was ignored without a word.
  const extra = positionals[command === 'attach' || command === 'cancel' ? 2 : 1];
  if (extra !== undefined) throw new Error(`unexpected argument ${JSON.stringify(extra.slice(0, 32))}: ${command} takes ${command === 'attach' || command === 'cancel' ? 'one job id' : 'options only (--file <file> for a file)'}\n${USAGE}`);
  if (values['api-key'] !== undefined && values['key-file'] !== undefined) throw new Error('give the API key once: --key-file or --api-key, not both');
  const keyFile = values['key-file'];
  const apiKey = values['api-key'] ?? (keyFile !== undefined ? keyFromFile(keyFile) : env.GATEWAY_API_KEY);
  // One line, no usage after it: the command itself was understood, only the key is missing.
  if (!apiKey) throw new Error('missing API key: set GATEWAY_API_KEY or pass --key-file FILE (npm start prints a key for each sandbox registrar)');
  const opts: CliOptions = {
    command: command as CliOptions['command'],
    jobId,
    url: gatewayUrl(values.url, env.GATEWAY_URL),
    apiKey,
    file: values.file,
    from: values.from,
    to: values.to,
    add: values.add ?? [],
    remove: values.remove ?? [],
    out: values.out,
    idempotencyKey: values['idempotency-key'],
    retries: 5,
    apiKeyFlag: values['api-key'] !== undefined,
    keyFile,
  };
  if (values.retries !== undefined) {
    if (!/^\d{1,2}$/.test(values.retries)) throw new Error('--retries is a whole number of reconnects, 0 to 99');
    opts.retries = Number(values.retries);
  }
  if (values.period !== undefined) {
    const m = /^(\d{1,3})([ym])$/.exec(values.period);
    if (!m) throw new Error('--period is a number and y or m: 1y, 6m');
    opts.period = { value: Number(m[1]), unit: m[2] === 'y' ? 'YEARS' : 'MONTHS' };
  }
  const needsFile = command === 'renew' || command === 'transfer' || command === 'update-statuses';
  if (needsFile && !opts.file) throw new Error(`${command} needs --file\n${USAGE}`);
  if ((command === 'replace-nameserver' || command === 'replace-tech-contact') && (!opts.from || !opts.to)) throw new Error(`${command} needs --from and --to\n${USAGE}`);
  // A job id is a UUID (as `submitted: job <id>` printed it): anything else is a typo, refused
  // before anything is sent (the gateway would refuse it too, BAD_USER_INPUT on id).
  if (jobId !== undefined && !isUuid(jobId)) throw new Error(`${command}: ${quoted(jobId)} is not a bulk job id (a UUID, as "submitted: job <id>" printed it); nothing was sent\n${USAGE}`);
  return opts;
}

/**
 * The gateway's GraphQL URL: `--url`, else GATEWAY_URL, else http://127.0.0.1:4000/graphql. Throws
 * an Error naming where it came from (never quoting it: a URL may hold a password) for one that is
 * not an http:// or https:// URL, before anything is sent: `--url notaurl` said "cannot reach the
 * gateway ... Invalid URL", and an ftp:// one that the gateway may have taken the request.
 */
export function gatewayUrl(flag: string | undefined, variable: string | undefined): string {
  const url = flag ?? (variable || undefined) ?? 'http://127.0.0.1:4000/graphql';
  let protocol = '';
  try {
    protocol = new URL(url).protocol;
  } catch {
    // not a URL: refused below
  }
  if (protocol !== 'http:' && protocol !== 'https:') {
    throw new Error(`${flag !== undefined ? '--url' : 'GATEWAY_URL'} must be the gateway's http:// or https:// GraphQL URL, such as http://127.0.0.1:4000/graphql`);
  }
  return url;
}

/**
 * A renew line's currentExpiry as the gateway takes it: a date alone (`2030-12-02`, as EPP's
 * curExpDate, RFC 5731 section 3.2.3) becomes that day's 00:00 UTC (`2030-12-02T00:00:00Z`), so
 * it is taken by any gateway release; anything else is sent as written (a date-time, or what the
 * gateway refuses naming `domains[i].currentExpiry`); empty is none (the gateway reads it).
 */
export function currentExpiryOf(field: string | undefined): string | null {
  const v = field?.trim();
  if (!v) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(v) ? `${v}T00:00:00Z` : v;
}

/**
 * A renew line's currentExpiry written as a date alone must be one the calendar has: `2027-02-30`
 * or `2027-13-01` would go out as the date-time currentExpiryOf makes of it
 * (`"2027-02-30T00:00:00Z"`, a value the user never wrote, in the gateway's refusal). Throws an
 * Error naming `at` (the file and line) and quoting the field as written (at most 32 characters:
 * an expiry is no secret), before anything is submitted. Anything else is left to the gateway,
 * which refuses it naming `domains[i].currentExpiry` and quoting it as sent. Throws FileLineError
 * naming `inputField` (`domains[i].currentExpiry`), as the gateway would.
 */
function checkExpiryDate(at: string, field: string | undefined, inputField: string): void {
  const v = field?.trim();
  if (!v || !/^\d{4}-\d{2}-\d{2}$/.test(v) || parseCalendarDate(v)) return;
  throw new FileLineError(inputField, `${at}: currentExpiry ${quoted(v)} is not a date the calendar has (YYYY-MM-DD, such as 2030-12-02); nothing was submitted`);
}

/**
 * The text of the file `--file` names, UTF-8. Throws an Error naming the option and the path for
 * one that cannot be read (`--file /tmp/x/nope.txt: no such file`; before: a bare
 * `ENOENT: no such file or directory, open ...`) or is not UTF-8 text (utf8Text), which the
 * CLI prints and exits 1 on, as for any usage error, before anything is sent.
 */
export function readFileOption(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a folder, not a file' : code === 'EACCES' ? 'not readable (permission denied)' : (e as Error).message;
    throw new Error(`--file ${file}: ${why}`);
  }
  try {
    return utf8Text(bytes);
  } catch (e) {
    throw new Error(`--file ${file}: ${(e as Error).message}; save it as UTF-8 (nothing was sent)`);
  }
}

// ignoreBOM: a byte order mark stays in the text, as Buffer's toString kept it (the CSV reader skips
// it, and the default idempotency key hashes the lines read, keyedLines, not the text).
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `bytes` as UTF-8 text (a byte order mark kept), or an Error saying why it is not: a UTF-16
 * file (its byte order mark, or NUL bytes, which no line of names holds: Windows' "Unicode text"
 * exports are UTF-16), or the first line holding a byte sequence UTF-8 does not allow (a Latin-1 or
 * Windows-1252 export), named by its number and the byte's column, never quoted. Before, such a
 * file was read with U+FFFD in place of each bad byte and refused as holding a disallowed
 * character, or, UTF-16, with its NUL bytes written back to the terminal.
 */
export function utf8Text(bytes: Buffer): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) throw new Error('the file is UTF-16 (its byte order mark says so)');
  if (bytes.includes(0)) throw new Error('the file holds NUL bytes: it is UTF-16 or not text');
  try {
    return UTF8.decode(bytes);
  } catch {
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const slice = bytes.subarray(start, end < 0 ? bytes.length : end);
      try {
        UTF8.decode(slice);
      } catch {
        throw new Error(`line ${line} is not UTF-8 text (byte ${badByte(slice)})`);
      }
      if (end < 0) throw new Error('it is not UTF-8 text');
      start = end + 1;
    }
  }
}

/** The first byte of `line` that does not begin a valid UTF-8 sequence, as `0xE9 at column 5` (columns count bytes from 1). */
function badByte(line: Buffer): string {
  for (let i = 0; i < line.length; ) {
    const b = line[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    let ok = n > 0 && i + n <= line.length;
    if (ok && n > 1) {
      try {
        UTF8.decode(line.subarray(i, i + n));
      } catch {
        ok = false;
      }
    }
    if (!ok) return `0x${b.toString(16).toUpperCase().padStart(2, '0')} at column ${i + 1}`;
    i += n;
  }
  return 'at its end';
}

/** What a file's lines hold after the domain name, by command (the others take the name only; more fields are left alone). */
const SECOND_FIELD: Partial<Record<CliKind, string>> = { renew: 'currentExpiry', transfer: 'authCode' };
/** The field of the mutation's item that second field becomes (BulkRenewItemInput.currentExpiry, BulkTransferItemInput.authInfo). */
const SECOND_INPUT: Partial<Record<CliKind, string>> = { renew: 'currentExpiry', transfer: 'authInfo' };

/**
 * A line of `--file` the CLI refuses before anything is sent, said as the gateway says a refusal
 * (the CLI's GatewayError: `CODE (field): message`): `code` BAD_USER_INPUT, `field` the request's
 * field the line would become (lineField: `domains[3].authInfo`, `domains[3].name`, or `domains[3]`
 * for the line as a whole), the message naming the file and line (never the line's text).
 */
export class FileLineError extends Error {
  readonly code = 'BAD_USER_INPUT';
  constructor(
    readonly field: string,
    what: string,
  ) {
    super(`BAD_USER_INPUT (${field}): ${what}`);
  }
}

/**
 * The request's field the `column`-th field (0-based; undefined: the line as a whole) of the
 * `index`-th domain line becomes, for `command`: renew and transfer send items (`domains[i].name`,
 * `domains[i].currentExpiry`, `domains[i].authInfo`), the others a list of names (`domains[i]`).
 */
function lineField(command: CliKind, index: number, column?: number): string {
  const item = `domains[${index}]`;
  const second = SECOND_INPUT[command];
  if (!second) return item;
  return column === 0 ? `${item}.name` : column === 1 ? `${item}.${second}` : item;
}

/**
 * The file's domain lines as [name, second field, line] (from `text` when the caller has read the
 * file already, readFileOption), read as CSV (parseCsv: RFC 4180 quoting,
 * so `example.tld,"abc,""123"""` holds the auth code `abc,"123"`), `line` the 1-based line number
 * in the file (blank and # lines are skipped, so the i-th domain is not always on line i + 1: the
 * gateway's errors name `domains[i]`, and the CLI names the line too). Throws FileLineError
 * (BAD_USER_INPUT and the field the line would become, as the gateway's refusals name theirs) naming
 * the file and line, never the line's text (a transfer file's lines hold auth codes), for a line that
 * is not CSV, a name that holds a comma (a quoted `"name,code"` is one field), more fields than
 * `command` takes (renew: name,currentExpiry; transfer: name,authCode, where a code holding a comma
 * must be quoted), a transfer line without its auth code, or a renew line whose currentExpiry is a
 * date the calendar lacks (checkExpiryDate: that one quotes the date as written).
 */
export function readLines(file: string, command: CliKind = 'update-statuses', text?: string): Array<[string, string | undefined, number]> {
  const second = SECOND_FIELD[command];
  let records: CsvRecord[];
  try {
    records = parseCsv(text ?? readFileOption(file));
  } catch (e) {
    if (e instanceof CsvError) throw new FileLineError(lineField(command, e.record ?? 0, e.column), `${file} line ${e.line}: ${e.message}`);
    throw e;
  }
  return records.map(({ fields, line }, i): [string, string | undefined, number] => {
    const at = `${file} line ${line}`;
    const lines = second ? `lines are name,${second}` : 'lines are domain names';
    if (fields[0]!.includes(',')) throw new FileLineError(lineField(command, i, 0), `${at}: the domain name holds a comma (${lines}; quote each field on its own, not the whole line)`);
    if (second && fields.length > 2) throw new FileLineError(lineField(command, i), `${at}: ${fields.length} fields (${lines}; a field holding a comma is written in quotes: name,"a,b")`);
    if (command === 'transfer' && fields.length < 2) throw new FileLineError(lineField(command, i, 1), `${at}: no authCode after the domain name (${lines})`);
    if (command === 'renew') checkExpiryDate(at, fields[1], lineField(command, i, 1));
    return [fields[0]!, fields[1], line];
  });
}

/** The period the gateway applies when a renew or transfer gives none (bulkRenew: "Defaults to 1 year"; bulkTransfer: TRANSFER_DEFAULT_PERIOD, the same request as 1 year). */
const DEFAULT_PERIOD: NonNullable<CliOptions['period']> = { value: 1, unit: 'YEARS' };

/**
 * What a submit command asks, as the key hashes it: only the parameters `command` takes
 * (OWN_OPTIONS), with the gateway's default filled in (no --period is --period 1y). The object
 * keeps the shape (and key order) the key always hashed, so a command given with its parameters
 * spelt out (`renew --period 1y`, `update-statuses --add clientHold`) keeps the key it had.
 */
function keyParameters(opts: CliOptions): Record<string, unknown> {
  const { command } = opts;
  const none = { period: undefined, from: undefined, to: undefined, add: [] as string[], remove: [] as string[] };
  switch (command) {
    case 'renew':
    case 'transfer':
      return { command, ...none, period: opts.period ?? DEFAULT_PERIOD };
    case 'replace-nameserver':
    case 'replace-tech-contact':
      return { command, ...none, from: opts.from, to: opts.to };
    default:
      return { command, ...none, add: opts.add, remove: opts.remove };
  }
}

/**
 * A file's domain lines (readLines) as the default idempotency key hashes them: one `name` or
 * `name,field` line each (the field quoted only where RFC 4180 needs it), each ended by LF. So the
 * key is that of the domains and their fields, not of how the file was saved: CRLF line ends, a
 * byte order mark, blank or `#` lines, a missing last line break or needless quotes give the key
 * of the same lines written plainly, which is the text such a file always hashed (a key from
 * before stays). Empty ('') with no file.
 */
export function keyedLines(lines: ReadonlyArray<readonly [string, string | undefined, ...unknown[]]> | null): string {
  return (lines ?? []).map(([name, field]) => (field === undefined ? `${name}\n` : `${name},${quotedField(field)}\n`)).join('');
}

/**
 * The same command (kind, its own parameters, the file's domain lines: keyedLines) gives the same
 * key: running it again re-attaches to its job. The parameters are those the command takes, normalised (keyParameters:
 * an option of another command, which the command line refuses anyway, never enters it, and an
 * explicit default equals the omitted one). `cli-` and 40 hex digits of the SHA-256 of them; for `transfer`, whose file holds
 * the auth codes, of their HMAC-SHA-256 under the API key instead: the job's key is stored and shown
 * (bulk_jobs, the command log's item keys derive from it), and a plain hash of a file of
 * `name,authCode` lines would let anyone who reads it confirm a guessed auth code offline (the
 * names are in the job's items). The API key is never stored (only its SHA-256), so the same key
 * and file still give the same job key; another API key of the registrar gives another one.
 */
export function defaultIdempotencyKey(opts: CliOptions, fileText: string): string {
  // fileText: keyedLines of the file's lines ('' without a file).
  const { command } = opts;
  // A cancel is of one job: run again (its answer lost, say), it is the same request, and answers the job's counts again.
  if (command === 'cancel') return `cli-cancel-${createHash('sha256').update(opts.jobId ?? '').digest('hex').slice(0, 40)}`;
  const h = command === 'transfer' ? createHmac('sha256', opts.apiKey) : createHash('sha256');
  return `cli-${h.update(JSON.stringify(keyParameters(opts))).update('\u0000').update(fileText).digest('hex').slice(0, 40)}`;
}
