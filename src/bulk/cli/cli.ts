/**
 * The bulk CLI (`npm run bulk -- ...`, see USAGE in args.ts): submits a job over the gateway's
 * GraphQL API (or attaches to one), follows it over graphql-ws with a progress line on stderr,
 * then writes every item's outcome as CSV. Nothing secret is printed or written: auth codes go
 * only into the request.
 */
import { readFileSync } from 'node:fs';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { defaultIdempotencyKey, parseCli, readLines, type CliOptions } from './args.js';
import { writeCsv, type CsvItem } from './csv.js';
import { Progress, type Counts } from './progress.js';

const JOB_FIELDS = 'id kind state total finishedAt counts { done failed pending running awaiting cancelled }';
const ITEMS = `query($id: ID!, $after: String) { bulkJob(id: $id) { items(first: 1000, after: $after) {
  edges { node { position domainName registry state attempts transaction { resultCode serverTransactionId } expiresAt skipped error { code message } } }
  pageInfo { hasNextPage endCursor } } } }`;

interface Io {
  err: (s: string) => void;
  out: (s: string) => void;
  tty: boolean;
  /** Told the job's id as soon as it is known (submitted or attached), e.g. to say how to re-attach after Ctrl-C. */
  onJob?: (id: string) => void;
}

/** What to run to follow the job again (after Ctrl-C: the job keeps running in the gateway). */
export function attachCommand(id: string): string {
  return `npm run bulk -- attach ${id}`;
}

async function gql(o: CliOptions, query: string, variables: Record<string, unknown>): Promise<any> {
  const res = await fetch(o.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${o.apiKey}` }, body: JSON.stringify({ query, variables }) });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string; extensions?: { code?: string; field?: string } }> };
  if (body.errors?.length) {
    const e = body.errors[0]!;
    throw new Error(`${e.extensions?.code ?? 'ERROR'}${e.extensions?.field ? ` (${e.extensions.field})` : ''}: ${e.message}`);
  }
  return body.data;
}

/** The mutation and variables of a submit command. */
function request(o: CliOptions): { query: string; field: string; variables: Record<string, unknown> } {
  const text = o.file ? readFileSync(o.file, 'utf8') : '';
  const lines = o.file ? readLines(o.file) : null;
  const k = o.idempotencyKey ?? defaultIdempotencyKey(o, text);
  const payload = `{ replayed job { ${JOB_FIELDS} } }`;
  const names = lines?.map(([n]) => n) ?? null;
  switch (o.command) {
    case 'renew':
      return { field: 'bulkRenew', query: `mutation($k: String!, $d: [BulkRenewItemInput!]!, $p: PeriodInput) { bulkRenew(idempotencyKey: $k, domains: $d, period: $p) ${payload} }`, variables: { k, p: o.period ?? null, d: lines!.map(([name, exp]) => ({ name, currentExpiry: exp || null })) } };
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

/** Follows the job over graphql-ws until it finishes, drawing the progress line; resolves with the last counts. */
function follow(o: CliOptions, id: string, total: number, io: Io): Promise<Counts> {
  const wsUrl = o.url.replace(/^http/, 'ws');
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${o.apiKey}` }, retryAttempts: 5 });
  const progress = new Progress(total);
  let last: Counts = { done: 0, failed: 0, pending: total, running: 0, awaiting: 0, cancelled: 0 };
  let drawn = 0;
  const draw = (force = false) => {
    if (!force && !io.tty && Date.now() - drawn < 1000) return;
    drawn = Date.now();
    io.err(io.tty ? `\r${progress.line(last)}` : `${progress.line(last)}\n`);
  };
  return new Promise((resolve, reject) => {
    client.subscribe(
      { query: `subscription($id: ID!) { bulkJob(id: $id) { job { counts { done failed pending running awaiting cancelled } } } }`, variables: { id } },
      {
        next: (r) => {
          if (r.errors?.length) return reject(new Error(r.errors[0]!.message));
          last = (r.data as any).bulkJob.job.counts;
          draw();
        },
        error: (e) => void Promise.resolve(client.dispose()).then(() => reject(e instanceof Error ? e : new Error(JSON.stringify(e)))),
        complete: () => {
          draw(true);
          if (io.tty) io.err('\n');
          void Promise.resolve(client.dispose()).then(() => resolve(last));
        },
      },
    );
  });
}

async function* itemPages(o: CliOptions, id: string): AsyncGenerator<CsvItem[]> {
  let after: string | null = null;
  for (;;) {
    const data = await gql(o, ITEMS, { id, after });
    const c = data.bulkJob.items;
    yield c.edges.map((e: { node: CsvItem }) => e.node);
    if (!c.pageInfo.hasNextPage) return;
    after = c.pageInfo.endCursor;
  }
}

/** Runs the CLI; returns the exit code (0: every item succeeded, 2: some failed or were cancelled, 1: an error). */
export async function runBulkCli(argv: string[], env: NodeJS.ProcessEnv, io: Io): Promise<number> {
  const o = parseCli(argv, env);
  let job: { id: string; kind: string; total: number; state: string };
  if (o.command === 'attach') {
    job = (await gql(o, `query($id: ID!) { bulkJob(id: $id) { ${JOB_FIELDS} } }`, { id: o.jobId })).bulkJob;
    if (!job) throw new Error(`no bulk job ${o.jobId} of this API key's registrar`);
  } else {
    const req = request(o);
    const answer = (await gql(o, req.query, req.variables))[req.field];
    job = answer.job;
    io.err(`${answer.replayed ? 'attached to the job this command submitted before' : 'submitted'}: job ${job.id} (${job.kind}, ${job.total} domains)\n`);
  }
  io.onJob?.(job.id);
  const counts = await follow(o, job.id, job.total, io);
  const out = o.out ?? `bulk-${job.id}.csv`;
  const rows = await writeCsv(out, itemPages(o, job.id));
  io.out(`${out}: ${rows} items, ${counts.done} done, ${counts.failed} failed, ${counts.cancelled} cancelled\n`);
  return counts.failed + counts.cancelled > 0 ? 2 : 0;
}
