/**
 * The bulk CLI (`npm run bulk -- ...`, see USAGE in args.ts): submits a job over the gateway's
 * GraphQL API (or attaches to one), follows it over graphql-ws with a progress line on stderr,
 * then writes every item's outcome as CSV. Nothing secret is printed or written: auth codes go
 * only into the request.
 */
import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import path from 'node:path';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { currentExpiryOf, defaultIdempotencyKey, FileLineError, keyedLines, parseCli, readFileOption, readLines, USAGE, type CliKind, type CliOptions } from './args.js';
import { writeCsv, type CsvItem } from './csv.js';
import { SECRET_SHOWN_AS } from '../../core/secret-names.js';
import { Progress, ProgressDisplay, type Counts } from './progress.js';

const JOB_FIELDS = 'id kind state total createdAt finishedAt counts { done failed pending running awaiting cancelled }';

/** A job as the CLI reads it (JOB_FIELDS): dates ISO 8601 (the gateway's clock), finishedAt null while items are not final. */
interface JobAnswer {
  id: string;
  kind: string;
  state: string;
  total: number;
  createdAt: string;
  finishedAt: string | null;
  counts: Counts;
}

/**
 * The progress line of a job as the CLI got it: its rate counts from the answer's counts at that
 * moment, or, for a job that had finished by then, over the job's own run (createdAt to finishedAt).
 */
function progressOf(job: JobAnswer): Progress {
  const finished = job.counts.done + job.counts.failed + job.counts.cancelled;
  if (job.finishedAt) return new Progress(job.total, { finished: 0, at: Date.parse(job.createdAt) }, Date.parse(job.finishedAt));
  return new Progress(job.total, { finished, at: Date.now() });
}
// 500 a page: an item is 20 fields, and a query may expand to limits.maxFields (20,000 by default).
const ITEMS = `query($id: ID!, $after: String) { bulkJob(id: $id) { items(first: 500, after: $after) {
  edges { node { position domainName registry state attempts transaction { resultCode serverTransactionId } expiresAt skipped error { code message upstreamCode field } } }
  pageInfo { hasNextPage endCursor } } } }`;

interface Io {
  err: (s: string) => void;
  out: (s: string) => void;
  tty: boolean;
  /** The terminal's width in columns when `tty` (the progress line keeps to one row); undefined: not known. */
  columns?: () => number | undefined;
  /** Told the command once the command line is read (what Ctrl-C before an answer should say depends on it). */
  onCommand?: (command: CliOptions['command']) => void;
  /** Told the job's id as soon as it is known (submitted or attached), and the command that follows it again, e.g. to say how to re-attach after Ctrl-C. */
  onJob?: (id: string, attach: string) => void;
}

/** A path or URL as one shell word: as it is when it is plain, else in single quotes. */
function shellWord(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `1 domain`, `24 domains` (`noun` singular, made plural with an s). */
const counted = (n: number, noun: 'domain' | 'item') => `${n} ${noun}${n === 1 ? '' : 's'}`;

/**
 * What to run to follow the job again (after Ctrl-C or a lost connection: the job keeps running in
 * the gateway): `npm run bulk -- attach <id>` with the --url and --out this run was given (a URL
 * from GATEWAY_URL stays in the environment), `--key-file <file>` when the key came from one, and
 * `--api-key <your key>` when the key came as a flag (never the key itself).
 */
export function attachCommand(id: string, o?: Pick<CliOptions, 'url' | 'out' | 'apiKeyFlag' | 'keyFile'> & { urlFlag?: boolean }): string {
  const key = o?.keyFile !== undefined ? ` --key-file ${shellWord(o.keyFile)}` : o?.apiKeyFlag ? ' --api-key <your key>' : '';
  const flags = [o?.urlFlag ? ` --url ${shellWord(o.url)}` : '', key, o?.out ? ` --out ${shellWord(o.out)}` : ''];
  return `npm run bulk -- attach ${id}${flags.join('')}`;
}

/**
 * What the CLI says when it stops following a job that goes on in the gateway (Ctrl-C: `why`
 * undefined; a lost connection: `why` says which and how): one line, then the attach command.
 */
export function stoppedFollowing(id: string, attach: string, why?: string): string {
  return `${why ? `${why}: ` : ''}stopped following job ${id}; it keeps running in the gateway. Follow it again with:\n  ${attach}\n`;
}

/**
 * The gateway could not be reached, or the connection to it dropped (the message names the URL and
 * the cause). `maybeSent`: the request may have reached the gateway before the connection failed.
 */
export class ConnectionLost extends Error {
  constructor(
    message: string,
    readonly maybeSent = true,
  ) {
    super(message);
  }
}

/** A close with 4403 Forbidden: the gateway refused the API key of a graphql-ws connection (src/http/websocket.ts). */
function keyRefused(e: unknown): boolean {
  return !!e && typeof e === 'object' && (e as { code?: unknown }).code === 4403;
}

/** Errors of a connection that was never made: the request was not sent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED', 'ERR_INVALID_URL']);

/** The system error under undici's bare "fetch failed" (or a WebSocket error event): message and code. */
function networkCause(e: unknown): { text: string; code?: string } {
  let c = (e as { cause?: unknown })?.cause ?? (e as { error?: unknown })?.error ?? e;
  // A host with several addresses (localhost: ::1 and 127.0.0.1) fails with each address's error.
  if (c instanceof AggregateError && c.errors.length > 0) c = c.errors[0];
  const err = c as NodeJS.ErrnoException;
  const text = (err && typeof err === 'object' && (err.message || err.code)) || String(c);
  return { text, code: err?.code };
}

/** The gateway's first GraphQL error: its message is `CODE (field): message`; `code` and `field` as extensions gave them. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    readonly field: string | undefined,
    message: string,
    /** Seconds the gateway asked to wait (RATE_LIMITED's extensions.retryAfter). */
    readonly retryAfter?: number,
  ) {
    super(`${code}${field ? ` (${field})` : ''}: ${message}`);
  }
}

/** One GraphQL request over HTTP; throws ConnectionLost when the gateway cannot be reached, a GatewayError with the first GraphQL error's code, field and message otherwise. */
async function gql(o: CliOptions, query: string, variables: Record<string, unknown>): Promise<any> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` }, body: JSON.stringify({ query, variables }) });
    text = await res.text();
  } catch (e) {
    const cause = networkCause(e);
    throw new ConnectionLost(`cannot reach the gateway at ${o.url}: ${cause.text}`, !NOT_CONNECTED.has(cause.code ?? ''));
  }
  let body: { data?: any; errors?: Array<{ message: string; extensions?: { code?: string; field?: string; retryAfter?: number } }> } | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: refused below, as JSON that is no object is
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new Error(`${o.url} answered HTTP ${res.status} ${res.statusText} without a GraphQL response: is it the gateway's /graphql URL?`);
  if (body.errors?.length) {
    const e = body.errors[0]!;
    throw new GatewayError(e.extensions?.code ?? 'ERROR', e.extensions?.field, e.message, e.extensions?.retryAfter);
  }
  // JSON without data or errors (`{}` from something else at the URL) is no GraphQL answer either:
  // reading the field of it said "Cannot read properties of undefined".
  if (body.data === null || typeof body.data !== 'object') throw new Error(`${o.url} answered HTTP ${res.status} ${res.statusText} with JSON that is no GraphQL response (no data, no errors): is it the gateway's /graphql URL?`);
  return body.data;
}

/** The mutation and variables of a submit command. */
function request(o: CliOptions): { query: string; field: string; variables: Record<string, unknown>; lines: ReturnType<typeof readLines> | null } {
  const text = o.file ? readFileOption(o.file) : '';
  const lines = o.file ? readLines(o.file, o.command as CliKind, text) : null; // the text read once
  // The gateway would say "domains: give at least one domain", naming no file.
  if (lines?.length === 0) throw new FileLineError('domains', `${o.file} has no domain lines (blank lines and lines starting with # are skipped); nothing was submitted`);
  return { ...mutation(o, lines), lines };
}

function mutation(o: CliOptions, lines: ReturnType<typeof readLines> | null): { query: string; field: string; variables: Record<string, unknown> } {
  const k = o.idempotencyKey ?? defaultIdempotencyKey(o, keyedLines(lines));
  const payload = `{ replayed job { ${JOB_FIELDS} } }`;
  const names = lines?.map(([n]) => n) ?? null;
  switch (o.command) {
    case 'renew':
      return { field: 'bulkRenew', query: `mutation($k: String!, $d: [BulkRenewItemInput!]!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, domains: $d, period: $p) ${payload} }`, variables: { k, p: o.period ?? null, d: lines!.map(([name, exp]) => ({ name, currentExpiry: currentExpiryOf(exp) })) } };
    case 'transfer':
      return { field: 'bulkTransfer', query: `mutation($k: String!, $d: [BulkTransferItemInput!]!, $p: PeriodInput) { bulkTransfer(idempotencyKey: $k, domains: $d, period: $p) ${payload} }`, variables: { k, p: o.period ?? null, d: lines!.map(([name, authInfo]) => ({ name, authInfo: authInfo ?? '' })) } };
    case 'replace-nameserver':
      return { field: 'bulkReplaceNameserver', query: `mutation($k: String!, $f: String!, $t: NameserverInput!, $d: [String!]) { bulkReplaceNameserver(idempotencyKey: $k, from: $f, to: $t, domains: $d) ${payload} }`, variables: { k, f: o.from, t: { name: o.to }, d: names } };
    case 'replace-tech-contact':
      return { field: 'bulkReplaceTechContact', query: `mutation($k: String!, $f: String!, $t: String!, $d: [String!]) { bulkReplaceTechContact(idempotencyKey: $k, from: $f, to: $t, domains: $d) ${payload} }`, variables: { k, f: o.from, t: o.to, d: names } };
    default:
      return { field: 'bulkUpdateStatuses', query: `mutation($k: String!, $d: [String!]!, $a: [ClientStatus!]!, $r: [ClientStatus!]!) { bulkUpdateStatuses(idempotencyKey: $k, domains: $d, add: $a, remove: $r) ${payload} }`, variables: { k, d: names, a: o.add, r: o.remove } };
  }
}

/**
 * Follows the job over graphql-ws until it finishes, drawing the progress line; resolves with the
 * last counts and the job's state then (RUNNING, COMPLETED, CANCELLED). When the connection drops it says so and reconnects (`o.retries` times, waiting 1,
 * 2, then 4 s); rejects with ConnectionLost (naming the URL, the close code and reason, and the last
 * connection error) when the gateway closes it for good or every reconnect failed.
 */
function follow(o: CliOptions, job: JobAnswer, io: Io): Promise<{ counts: Counts; state: string }> {
  const { id, total } = job;
  const wsUrl = o.url.replace(/^http/, 'ws');
  const nl = io.tty ? '\n' : ''; // a message below the progress line, not over it
  let closed: { code: number; reason: string } | undefined;
  let failure: string | undefined;
  let reconnects = 0;
  const display = new ProgressDisplay(progressOf(job), io.err, io.tty, Date.now, io.columns);
  const how = () => [closed ? `closed with code ${closed.code}${closed.reason ? ` (${closed.reason})` : ''}` : '', failure ?? ''].filter(Boolean).join(': ');
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: `Bearer ${o.apiKey}` },
    retryAttempts: o.retries,
    // Socket errors too (graphql-ws retries close events only): a restarting gateway refuses
    // connections for a while. graphql-ws never retries the closes it deems fatal (4400, 4401, 4409, ...);
    // nor is 4403 worth retrying: the gateway refused the key (revoked, or not one of a restarted
    // zero-setup gateway's new keys), and will again.
    shouldRetry: (e) => !keyRefused(e),
    retryWait: async (retries) => {
      const seconds = Math.min(2 ** retries, 4);
      // The line's last counts before the message, none after it until the job's counts come again.
      display.pause();
      io.err(`${nl}lost the connection to ${wsUrl} (${how()}); reconnecting in ${seconds} s (${retries + 1} of ${o.retries})\n`);
      reconnects = retries + 1;
      await new Promise((r) => setTimeout(r, seconds * 1000));
    },
    on: {
      closed: (e) => {
        const { code, reason } = e as { code?: number; reason?: string };
        if (typeof code === 'number') closed = { code, reason: String(reason ?? '') };
      },
      error: (e) => void (failure = networkCause(e).text),
      opened: () => void (failure = undefined), // connected again: a close from now on is the gateway's answer
      connected: (_socket, _payload, wasRetry) => {
        if (!wasRetry) return;
        io.err(`reconnected to ${wsUrl}; following job ${id} again\n`);
      },
    },
  });
  let last: Counts = { done: 0, failed: 0, pending: total, running: 0, awaiting: 0, cancelled: 0 };
  let state = job.state;
  let limited = 0;
  return new Promise((resolve, reject) => {
    const subscribe = () => client.subscribe(
      { query: `subscription($id: ID!) { bulkJob(id: $id) { job { state counts { done failed pending running awaiting cancelled } } } }`, variables: { id } },
      {
        next: (r) => {
          if (r.errors?.length) return reject(new Error(r.errors[0]!.message));
          ({ counts: last, state } = (r.data as any).bulkJob.job);
          display.show(last);
        },
        error: (e) => {
          let err: Error;
          if (Array.isArray(e)) {
            // The gateway refused the subscription (graphql-ws's error message: GraphQL errors).
            const g = e[0] as { message?: string; extensions?: { code?: string; retryAfter?: number } } | undefined;
            // The key's budget spent for the window (a subscription is an operation: README, Limits):
            // wait as the refusal says and follow again (graphql-ws connects afresh: a client with no
            // subscription left closes its socket), as itemPages reads a page again.
            if (g?.extensions?.code === 'RATE_LIMITED' && limited < RATE_LIMITED_RETRIES) {
              const seconds = Math.max(1, g.extensions.retryAfter ?? 1);
              display.pause();
              io.err(`${nl}the gateway refused following job ${id} with RATE_LIMITED (this API key's budget is spent for now); waiting ${seconds} s, then following it again (${++limited} of ${RATE_LIMITED_RETRIES})\n`);
              setTimeout(subscribe, seconds * 1000);
              return;
            }
            err = new Error(`${g?.extensions?.code ?? 'ERROR'}: ${g?.message ?? 'the gateway refused the subscription'}`);
          } else {
            // A close event (the gateway went away, or closed the connection for good) or a socket
            // error (a reconnect refused): the last of the reconnects, or a close not worth retrying.
            if (!(e && typeof e === 'object' && 'code' in e && 'reason' in e)) failure = networkCause(e).text;
            const tried = reconnects > 0 ? `, ${reconnects === 1 ? 'then 1 reconnect' : `then ${reconnects} reconnects`} failed` : '';
            err = keyRefused(e)
              ? new ConnectionLost(`${nl}the gateway at ${wsUrl} refused the API key (${how()}${tried}): it was revoked, or the gateway restarted with new keys (a zero-setup gateway prints new ones at every start); follow the job with a current key`)
              : new ConnectionLost(`${nl}lost the connection to ${wsUrl} (${how() || 'no reason given'}${tried})`);
          }
          display.end();
          void Promise.resolve(client.dispose()).then(() => reject(err));
        },
        complete: () => {
          // The final counts, written now if their line was held back (off a terminal, within 1 s of the one before).
          display.end();
          if (io.tty) io.err('\n');
          void Promise.resolve(client.dispose()).then(() => resolve({ counts: last, state }));
        },
      },
    );
    subscribe();
  });
}

/** Times a page read refused with RATE_LIMITED is sent again, each after the wait the gateway named. */
const RATE_LIMITED_RETRIES = 20;

/**
 * The job's items, page by page. A page costs the key 2,510 points of its rate limit (5 an item:
 * README, Limits), so a 20,000-item job's 40 pages, with the key's other requests, may outrun a
 * window: a page refused with RATE_LIMITED is read again after the `retryAfter` it gives.
 */
async function* itemPages(o: CliOptions, id: string): AsyncGenerator<CsvItem[]> {
  let after: string | null = null;
  for (let refused = 0; ; ) {
    let data: any;
    try {
      data = await gql(o, ITEMS, { id, after });
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'RATE_LIMITED' || ++refused > RATE_LIMITED_RETRIES) throw e;
      await new Promise((r) => setTimeout(r, Math.max(1, e.retryAfter ?? 1) * 1000));
      continue;
    }
    const c = data.bulkJob.items;
    yield c.edges.map((e: { node: CsvItem }) => e.node);
    if (!c.pageInfo.hasNextPage) return;
    after = c.pageInfo.endCursor;
  }
}

/** Times a submission refused with RATE_LIMITED is sent again (README "Bulk CLI"). */
export const SUBMIT_RATE_LIMITED_RETRIES = 5;

/**
 * Sends the submission and returns its payload (`{ replayed, job }`). A refusal with RATE_LIMITED
 * (the API key spent its budget for the window: src/limits/errors.ts, `extensions.retryAfter`
 * seconds until it starts again) is waited out, saying so on stderr, and the same request (the same
 * variables, so the same idempotency key) is sent again, at most SUBMIT_RATE_LIMITED_RETRIES times;
 * a refusal the gateway never turned into a job leaves nothing to attach to. Any other error, and
 * the last RATE_LIMITED, is thrown as it is.
 */
async function submit(o: CliOptions, req: { query: string; field: string; variables: Record<string, unknown> }, io: Io): Promise<any> {
  for (let retries = 0; ; retries++) {
    try {
      return (await gql(o, req.query, req.variables))[req.field];
    } catch (e) {
      if (!(e instanceof GatewayError) || e.code !== 'RATE_LIMITED' || retries >= SUBMIT_RATE_LIMITED_RETRIES) throw e;
      const seconds = Math.max(1, e.retryAfter ?? 1);
      io.err(`the gateway refused the submission with RATE_LIMITED (this API key's budget is spent for now); waiting ${seconds} s, then sending it again with the same idempotency key (${retries + 1} of ${SUBMIT_RATE_LIMITED_RETRIES})\n`);
      await new Promise((r) => setTimeout(r, seconds * 1000));
    }
  }
}

/**
 * A refusal of the submission, said in the file's terms: an error naming `domains[i]` (and "also
 * domains[j]" for a duplicate) gets the file and line of that domain (blank and # lines are not
 * domains, so `i` alone does not find it in the file), with the name only (never a transfer's auth
 * code, nor a name that is also one of the file's codes); so does one about another argument that names the first domain of a registry that does
 * not take it (`period: registry "sandbox-headless" (domains[2] "x.hdtest" and 14 more) accepts
 * YEARS only`; a status to add or remove: `backend "sandbox-joker" (domains[1] "a.joker.test")
 * does not support status clientHold`); a request over the gateway's body limit, or a list over
 * its bulk.maxItems, says how many domains it held and to split the file. Any other error as it is.
 */
export function inFileTerms(e: unknown, file: string | undefined, lines: ReturnType<typeof readLines> | null): unknown {
  if (!(e instanceof GatewayError) || !file || !lines) return e;
  if (e.code === 'PAYLOAD_TOO_LARGE') {
    return new Error(`${e.message}: ${file} has ${lines.length} domains, too many for one request; split it into files of fewer domains (a job holds at most 20,000 by default, bulk.maxItems)`);
  }
  // More domains than the gateway's bulk.maxItems (its refusal gives the limit: `no list may have more than 20000`).
  const most = e.field === 'domains' ? /no list may have more than (\d+)/.exec(e.message)?.[1] : undefined;
  if (most) return new Error(`${e.message}: ${file} has ${lines.length} domains; split it into files of at most ${most} (the gateway's bulk.maxItems)`);
  const at = (i: number) => lines[i];
  // The field names the domain, or (a period, a status the registry of a domain does not take) the message does: `(domains[2] "x.hdtest"`.
  const m = /^domains\[(\d+)\]/.exec(e.field ?? '') ?? /\(domains\[(\d+)\] /.exec(e.message);
  const line = m ? at(Number(m[1])) : undefined;
  if (!line) return e;
  const also = /\(also domains\[(\d+)\]/.exec(e.message);
  const first = also ? at(Number(also[1])) : undefined;
  // A name that is also one of the file's second fields (a transfer's auth code), in any letter
  // case and without trailing dots, as the gateway looks for a secret, is not spelt out; nor is
  // the name of a line whose refusal the gateway had to redact ("(a secret: not shown)").
  const plain = (v: string) => v.trim().replace(/\.+$/, '').toLowerCase();
  const codes = new Set(lines.flatMap((l) => (l[1] ? [plain(l[1])] : [])));
  const name = codes.has(plain(line[0])) || e.message.includes(SECRET_SHOWN_AS) ? '(the name is not shown: it is also an auth code of the file)' : line[0];
  return new Error(`${e.message}\n  ${file} line ${line[2]}: ${name}${first ? ` (also line ${first[2]})` : ''}`);
}

/**
 * Where the CSV goes must be writable before a job is submitted (a job of hours whose results
 * cannot be written at its end is no use) or cancelled: throws naming the path and why, and that
 * nothing was sent (`nothing`: "nothing was submitted", "nothing was cancelled").
 */
function checkWritable(out: string, nothing = 'nothing was submitted'): void {
  const full = path.resolve(out);
  let isDir = false;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    // Not there yet: its folder must be.
  }
  try {
    if (isDir) throw new Error('it is a directory');
    accessSync(path.dirname(full), fsConstants.W_OK);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? `no folder ${path.dirname(full)}` : (e as Error).message;
    throw new Error(`cannot write the results to ${out} (--out): ${why}; ${nothing}`);
  }
}

/** The states an item ends in (BulkItemState): the others (PENDING, RUNNING, AWAITING_REGISTRY) may still change. */
const FINAL_STATES = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

/** A job's counts as the progress line names them, and the states it has besides. */
function countsLine(c: Counts): string {
  return `done ${c.done}  failed ${c.failed}  cancelled ${c.cancelled}  running ${c.running}  awaiting ${c.awaiting}  pending ${c.pending}`;
}

/**
 * `cancel <job id>`: cancelBulkJob under a key derived from the id (defaultIdempotencyKey: run
 * again, it is the same request), then the job's counts on `out`, and the CSV of its items as they
 * stand after the cancel (`--out`, default bulk-<job id>.csv, checked writable before the cancel is
 * sent). Items claimed before the cancel (running, awaiting the registry) are not final yet: one
 * already sent finishes with its real outcome, one not sent yet is cancelled before its command is
 * written (src/bulk/runner.ts); the CLI says so (counted in the CSV's rows, not in the counts,
 * which are the first cancel's when this is the same command again), with the attach command that
 * follows them and writes the CSV again once they are. A job that had finished is left as it was, and said so;
 * one cancelled before this command (by another cancel, or this same command's first run) says that.
 * Returns 0; throws on any error (an id that is not a job of the key's registrar: its message, as
 * attach's; a CSV it could not write: saying the cancel was taken).
 */
async function cancel(o: CliOptions, io: Io, attach: (id: string, withOut?: boolean) => string): Promise<number> {
  const id = o.jobId!;
  checkWritable(o.out ?? 'bulk-job.csv', 'nothing was cancelled'); // the default is bulk-<job id>.csv in the working folder
  const k = o.idempotencyKey ?? defaultIdempotencyKey(o, '');
  // Whether the job was cancelled before this command: the cancel's answer is the job either way
  // (a cancel of a cancelled job changes nothing), and the same command again is answered as it
  // was the first time.
  const before = (await gql(o, 'query($id: ID!) { bulkJob(id: $id) { state } }', { id })).bulkJob as { state: string } | null;
  if (!before) throw new Error(`no bulk job ${id} of this API key's registrar`);
  let job: JobAnswer;
  try {
    job = (await gql(o, `mutation($k: String!, $id: ID!) { cancelBulkJob(idempotencyKey: $k, id: $id) { ${JOB_FIELDS} } }`, { k, id })).cancelBulkJob;
  } catch (e) {
    if (e instanceof GatewayError && e.code === 'OBJECT_NOT_FOUND') throw new Error(`no bulk job ${id} of this API key's registrar`);
    // Sent or not, the same command again is the same request (its key): safe to repeat.
    if (e instanceof ConnectionLost && e.maybeSent) throw new ConnectionLost(`${e.message}; the gateway may have taken the cancel: the same command again is safe`);
    throw e;
  }
  const c = job.counts;
  const what =
    before.state === 'CANCELLED' ? 'was cancelled before this command: nothing more to cancel' : job.state === 'CANCELLED' ? 'cancelled' : 'had finished before the cancel: nothing to cancel';
  io.out(`job ${job.id} (${job.kind}, ${counted(job.total, 'domain')}) ${what}: ${countsLine(c)}\n`);
  const out = o.out ?? `bulk-${job.id}.csv`;
  let rows: number;
  // What is not final yet is told from the items as the CSV has them: the counts above are those of
  // the first cancel when this is the same command again (its answer replayed), when the items the
  // cancel found running may have finished long since.
  let left = 0;
  async function* counting(pages: AsyncIterable<CsvItem[]>): AsyncGenerator<CsvItem[]> {
    for await (const page of pages) {
      left += page.filter((i) => !FINAL_STATES.has(i.state)).length;
      yield page;
    }
  }
  try {
    rows = await writeCsv(out, counting(itemPages(o, job.id)));
  } catch (e) {
    const taken = `the gateway took the cancel of job ${job.id}, but its items could not be`;
    if (e instanceof ConnectionLost || e instanceof GatewayError) throw new Error(`${taken} read for ${out}: ${e.message}; write them with:\n  ${attach(job.id)}`);
    throw new Error(`${taken} written to ${out}: ${(e as Error).message}; write them elsewhere with:\n  ${attach(job.id, false)} --out <file>`);
  }
  io.out(`${out}: ${counted(rows, 'item')} as they stand after the cancel\n`);
  if (left > 0) io.out(`${left} ${left === 1 ? 'item is' : 'items are'} not final yet: one already sent finishes with its real outcome, one not sent yet is cancelled before it is. Follow them and write the results again with:\n  ${attach(job.id)}\n`);
  return 0;
}

/**
 * Runs the CLI; returns the exit code: 0 every item succeeded, 2 some failed or were cancelled, 3
 * the connection to the gateway was lost while following (the job goes on; the attach command is
 * printed), 0 for --help (the usage on `out`). Throws on any other error (the caller exits 1).
 */
export async function runBulkCli(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const o = parseCli(argv, env);
  if (o === 'help') {
    io.out(`${USAGE}\n`);
    return 0;
  }
  io.onCommand?.(o.command);
  const urlFlag = argv.some((a) => a === '--url' || a.startsWith('--url='));
  /** The attach command, with the --out given unless `withOut` is false. */
  const attach = (id: string, withOut = true) => attachCommand(id, { ...o, out: withOut ? o.out : undefined, urlFlag });
  if (o.command === 'cancel') return cancel(o, io, attach);
  checkWritable(o.out ?? 'bulk-job.csv'); // the default is bulk-<job id>.csv in the working folder
  let job: JobAnswer;
  if (o.command === 'attach') {
    job = (await gql(o, `query($id: ID!) { bulkJob(id: $id) { ${JOB_FIELDS} } }`, { id: o.jobId })).bulkJob;
    if (!job) throw new Error(`no bulk job ${o.jobId} of this API key's registrar`);
  } else {
    const req = request(o);
    let answer: any;
    try {
      answer = await submit(o, req, io);
    } catch (e) {
      // As after Ctrl-C before the answer: the idempotency key makes the same command again safe.
      if (e instanceof ConnectionLost && e.maybeSent) throw new ConnectionLost(`${e.message}; if the gateway took the job, the same command again attaches to it`);
      throw inFileTerms(e, o.file, req.lines);
    }
    job = answer.job;
    io.err(`${answer.replayed ? 'attached to the job this command submitted before' : 'submitted'}: job ${job.id} (${job.kind}, ${counted(job.total, 'domain')})\n`);
    // The same command and file give the same key (defaultIdempotencyKey): run again after its job
    // finished (a renewal run a year later), it would answer that job's results and send nothing.
    // Said plainly, with how to run it again (a fresh key), while the job is kept (bulk.retentionDays).
    if (answer.replayed && job.finishedAt) {
      io.err(
        `that job finished at ${job.finishedAt}: nothing was sent now, and its results are written again. To run this command again as a new job, give it a key of its own: --idempotency-key <new key>\n`,
      );
    }
  }
  io.onJob?.(job.id, attach(job.id));
  try {
    const { counts, state } = await follow(o, job, io);
    const out = o.out ?? `bulk-${job.id}.csv`;
    let rows: number;
    try {
      rows = await writeCsv(out, itemPages(o, job.id));
    } catch (e) {
      if (e instanceof ConnectionLost || e instanceof GatewayError) throw e;
      // The folder went away or filled up while the job ran: the job is done in the gateway.
      throw new Error(`could not write the results to ${out}: ${(e as Error).message}; job ${job.id} is finished in the gateway. Write them elsewhere with:\n  ${attach(job.id, false)} --out <file>`);
    }
    // A job cancelled while followed says so, even when every item had been sent before the cancel (none cancelled).
    io.out(`${out}: ${counted(rows, 'item')}, ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled${state === 'CANCELLED' ? ' (the job was cancelled)' : ''}\n`);
    return counts.failed + counts.cancelled > 0 ? 2 : 0;
  } catch (e) {
    if (!(e instanceof ConnectionLost)) throw e;
    io.err(stoppedFollowing(job.id, attach(job.id), e.message));
    io.err('  (another gateway instance on the same database serves it too: the same command with --url <its /graphql URL>)\n');
    return 3;
  }
}
