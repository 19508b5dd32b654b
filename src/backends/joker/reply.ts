/**
 * The one parser of DMAPI replies (shared/upstream/004_3d0c9974b3057d3e.txt, "Basics"): plain text,
 * MIME-like headers, an empty line, then the body. Header names are case-insensitive ("Auth-SID",
 * "Auth-Sid"); `Error` and `Warning` may repeat, every other header is read once (the last wins).
 *
 * The body of a list query is rows of columns: `Columns` names them (comma separated) and
 * `Separator` says what splits them ("TAB" is "\t", "SPACE" is " "; without it, runs of white
 * space). The body of query-whois / query-profile / domain-get-property is "key: value" lines.
 */

/** A parsed DMAPI reply. Every field is as the server sent it (trimmed); absent headers are undefined. */
export interface DmapiReply {
  /** Every header by lower-cased name, each with every value it had, in order. */
  headers: ReadonlyMap<string, readonly string[]>;
  /** Status-Code: 0 when the request was accepted; not 0 when an error occurred. */
  statusCode: number | undefined;
  statusText: string | undefined;
  /** Result: ACK or NACK (upper-cased). */
  result: 'ACK' | 'NACK' | undefined;
  /** Error lines: present if (and only if) the request was rejected and nothing was processed. */
  errors: string[];
  /** Warning lines: non-fatal processing or validation problems. */
  warnings: string[];
  /** Proc-ID of a request that modifies or creates objects. */
  procId: string | undefined;
  /** Tracking-Id (the SvTrId of result-list). */
  trackingId: string | undefined;
  /** Account-Balance, as sent (a decimal string). */
  accountBalance: string | undefined;
  /** Auth-Sid of a login reply. */
  authSid: string | undefined;
  /** Column names from `Columns`, when the reply lists them. */
  columns: string[] | undefined;
  /** The column separator: "\t", " ", or undefined for runs of white space. */
  separator: string | undefined;
  /** The body after the first empty line, line endings normalised to "\n", without the final newline. */
  body: string;
}

const SEPARATORS: Record<string, string> = { TAB: '\t', '\\T': '\t', SPACE: ' ', ' ': ' ' };

/** Parses one DMAPI reply. Text without an empty line is all headers (a login reply may end there). */
export function parseReply(text: string): DmapiReply {
  const normal = text.replace(/\r\n?/g, '\n');
  const cut = normal.indexOf('\n\n');
  const head = cut < 0 ? normal : normal.slice(0, cut);
  const body = cut < 0 ? '' : normal.slice(cut + 2).replace(/\n$/, '');
  const headers = new Map<string, string[]>();
  for (const line of head.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const list = headers.get(name);
    if (list) list.push(value);
    else headers.set(name, [value]);
  }
  const one = (n: string) => headers.get(n)?.at(-1);
  const code = one('status-code');
  const result = one('result')?.toUpperCase();
  const sep = one('separator');
  const columns = one('columns');
  return {
    headers,
    statusCode: code !== undefined && /^-?\d+$/.test(code) ? Number(code) : undefined,
    statusText: one('status-text'),
    result: result === 'ACK' || result === 'NACK' ? result : undefined,
    errors: headers.get('error') ?? [],
    warnings: headers.get('warning') ?? [],
    procId: one('proc-id') || undefined,
    trackingId: one('tracking-id') || undefined,
    accountBalance: one('account-balance') || undefined,
    authSid: one('auth-sid') || undefined,
    columns: columns ? columns.split(',').map((c) => c.trim()).filter(Boolean) : undefined,
    separator: sep === undefined ? undefined : (SEPARATORS[sep.toUpperCase()] ?? (sep.length === 1 ? sep : undefined)),
    body,
  };
}

/**
 * Whether the reply says an error occurred: it carries a Status-Code that is not 0 (document,
 * "Basics": "Status-Code: Not 0 if error occurred"). A Status-Code that is not a number (empty,
 * "E17") is not 0 either; a reply without one says nothing here (a login reply may carry none).
 */
export function statusFailed(reply: DmapiReply): boolean {
  return reply.headers.has('status-code') && reply.statusCode !== 0;
}

/** The body's rows split into columns (by `Separator`, else runs of white space); empty lines skipped. */
export function rows(reply: DmapiReply): string[][] {
  const out: string[][] = [];
  for (const line of reply.body.split('\n')) {
    if (line.trim() === '') continue;
    out.push(reply.separator === undefined ? line.trim().split(/\s+/) : line.split(reply.separator).map((c) => c.trim()));
  }
  return out;
}

/**
 * The body's rows as records keyed by `Columns` (or by `fallback`, the request description's
 * columns, when the reply names none). A missing trailing column is "".
 */
export function records(reply: DmapiReply, fallback: readonly string[] = []): Record<string, string>[] {
  const names = reply.columns ?? fallback;
  return rows(reply).map((r) => Object.fromEntries(names.map((n, i) => [n, r[i] ?? ''])));
}

/** "key: value" body lines as a map of lower-cased keys to every value, in order (query-whois, query-profile). */
export function keyValues(reply: DmapiReply): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const line of reply.body.split('\n')) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const k = line.slice(0, colon).trim().toLowerCase();
    const v = line.slice(colon + 1).trim();
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}
