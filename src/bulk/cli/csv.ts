/**
 * The CLI's CSV: input files read (parseCsv) and per-item results written (writeCsv), as RFC 4180
 * says: fields with a comma, quote or line break are quoted, quotes doubled; a result field that
 * a spreadsheet would run as a formula is written as text (csvField, OWASP "CSV Injection").
 */
import { createWriteStream } from 'node:fs';
import { parse } from 'csv-parse/sync';

/** One record of an input file: its fields, and the 1-based line it starts on. */
export interface CsvRecord {
  fields: string[];
  line: number;
}

/** A file that is not CSV at `line`; the message says what is wrong, never the text (it may hold an auth code). */
export class CsvError extends Error {
  constructor(
    readonly line: number,
    what: string,
    /** The 0-based record (domain line) it is in, counting only records (blank and # lines are none), when known. */
    readonly record?: number,
    /** The 0-based field of that record where it is, when known. */
    readonly column?: number,
  ) {
    super(what);
  }
}

/** What each of csv-parse's refusals means for a file a person wrote; never its text. */
const REFUSALS: Record<string, string> = {
  CSV_QUOTE_NOT_CLOSED: 'a quoted field is not closed: a field that starts with " ends with " (a quote inside it is written "")',
  CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE: 'text after the closing " of a quoted field (a quote inside a quoted field is written "")',
};

/**
 * The records of `text` (RFC 4180, read by csv-parse): fields separated by commas; a field in
 * double quotes may hold commas, line breaks and quotes, each quote written twice (`"a,""b"""` is
 * `a,"b"`). As the CLI's files always allowed: LF or CRLF ends a record; blank lines and lines
 * starting with # are skipped (a # inside a line is text: auth codes hold them); spaces around a
 * field are dropped (inside quotes they are kept); a quote inside an unquoted field is an ordinary
 * character (`ab"c`); a UTF-8 byte order mark (spreadsheet exports) is dropped; records may differ
 * in length (the caller checks them). Throws CsvError for a quoted field that is never closed, or
 * that has more than spaces between its closing quote and the next comma or the line's end (with
 * the record and field it is in, as csv-parse counts them).
 */
export function parseCsv(text: string): CsvRecord[] {
  type Row = { record: string[]; info: { lines: number } };
  let rows: Row[];
  try {
    rows = parse(text, { bom: true, comment: '#', comment_no_infix: true, skip_empty_lines: true, skip_records_with_empty_values: true, trim: true, relax_quotes: true, relax_column_count: true, record_delimiter: ['\r\n', '\n'], info: true }) as unknown as Row[];
  } catch (e) {
    const err = e as { code?: string; lines?: number; records?: number; column?: number };
    const what = err.code ? REFUSALS[err.code] : undefined;
    if (what) throw new CsvError(startLine(text, err.lines ?? 1), what, err.records, err.column);
    throw new CsvError(err.lines ?? 1, 'not readable as CSV (RFC 4180)', err.records);
  }
  // info.lines is the line a record ends on; a quoted field's line breaks put its start before.
  return rows.map(({ record, info }) => ({ fields: record, line: info.lines - record.reduce((n, f) => n + (f.match(/\n/g)?.length ?? 0), 0) }));
}

/** The line a quoted field that reaches line `endLine` (or the end of `text`) opened on: the last line before it holding an odd number of quotes. */
function startLine(text: string, endLine: number): number {
  const lines = text.split('\n').slice(0, endLine);
  for (let i = lines.length - 1; i >= 0; i--) if (((lines[i]!.match(/"/g)?.length ?? 0) & 1) === 1) return i + 1;
  return endLine;
}

/** The result CSV's header, in column order: one column per field of CsvItem that csvRow writes. */
export const CSV_COLUMNS = ['position', 'domain', 'registry', 'state', 'attempts', 'resultCode', 'serverTransactionId', 'expiresAt', 'skipped', 'errorCode', 'errorMessage', 'errorUpstreamCode', 'errorField'] as const;

/**
 * What a spreadsheet opening the file takes for a formula at the start of a cell (OWASP "CSV
 * Injection"): `=`, `+`, `-`, `@`, TAB, CR. A registry's error message or a field name is written
 * as it came, so one of them could run as a formula (`=HYPERLINK(...)`) in the operator's
 * spreadsheet.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * One CSV field: RFC 4180 quoting (a field with a comma, quote or line break quoted, quotes
 * doubled); a field starting as a formula would (FORMULA_START) gets a single quote in front and is
 * quoted, as OWASP "CSV Injection" advises, so a spreadsheet shows it as text (`'=1+2`). Every
 * other field is written as it is.
 */
export function csvField(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  if (FORMULA_START.test(s)) return `"'${s.replace(/"/g, '""')}"`;
  return quotedField(s);
}

/** `s` as one RFC 4180 field: quoted (quotes doubled) when it holds a comma, a quote or a line break, else as it is. */
export function quotedField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One item as the CLI reads it from the job's `items` connection (the GraphQL BulkItem's fields; `expiresAt` ISO 8601 UTC). */
export interface CsvItem {
  position: number;
  domainName: string;
  registry: string;
  state: string;
  attempts: number;
  transaction: { resultCode: number; serverTransactionId: string | null } | null;
  expiresAt: string | null;
  skipped: string | null;
  /** `upstreamCode`: the registry's result code where it answered one (EPP 2303, an HTTP status for REST registries). */
  /** `field`: the request's field the error is about (`domains[3].currentExpiry`), when it names one (BulkItemError.field). */
  error: { code: string; message: string; upstreamCode?: number | null; field?: string | null } | null;
}

/** One CSV line (no line break) of CSV_COLUMNS' fields; null and absent fields empty, quoted as RFC 4180 says, a field that would start a formula neutralised (csvField). */
export function csvRow(i: CsvItem): string {
  return [i.position, i.domainName, i.registry, i.state, i.attempts, i.transaction?.resultCode, i.transaction?.serverTransactionId, i.expiresAt, i.skipped, i.error?.code, i.error?.message, i.error?.upstreamCode, i.error?.field].map(csvField).join(',');
}

/**
 * Writes the header and rows to `path`; resolves with the number of rows when the file is closed,
 * rejects with the file system's error (ENOENT, EACCES, ENOSPC: a stream error is never left
 * unhandled, which crashed the CLI with a stack trace).
 */
export async function writeCsv(path: string, pages: AsyncIterable<CsvItem[]>): Promise<number> {
  const out = createWriteStream(path);
  let failed: Error | null = null;
  out.on('error', (e) => void (failed ??= e));
  const opened = new Promise<void>((resolve) => {
    out.once('open', () => resolve());
    out.once('error', () => resolve());
  });
  let n = 0;
  await opened;
  if (failed) throw failed;
  out.write(`${CSV_COLUMNS.join(',')}\n`);
  for await (const page of pages) {
    if (failed) break;
    for (const item of page) out.write(`${csvRow(item)}\n`);
    n += page.length;
  }
  if (!failed) await new Promise<void>((resolve) => out.end(() => resolve()));
  else out.destroy();
  if (failed) throw failed;
  return n;
}
