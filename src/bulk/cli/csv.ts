/**
 * The CLI's CSV: input files read (parseCsv) and per-item results written (writeCsv), as RFC 4180
 * says: fields with a comma, quote or line break are quoted, quotes doubled.
 */
import { createWriteStream } from 'node:fs';

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
  ) {
    super(what);
  }
}

const BLANK = new Set([' ', '\t', '\r']);

/**
 * The records of `text` (RFC 4180): fields separated by commas; a field in double quotes may hold
 * commas, line breaks and quotes, each quote written twice (`"a,""b"""` is `a,"b"`). As the CLI's
 * files always allowed: LF or CRLF ends a record; blank lines and lines starting with # are
 * skipped; spaces around a field are dropped (inside quotes they are kept); a quote inside an
 * unquoted field is an ordinary character (`ab"c`); a UTF-8 byte order mark (spreadsheet exports)
 * is dropped. Throws CsvError for a quoted field that is never closed, or that has more than
 * spaces between its closing quote and the next comma or the line's end.
 */
export function parseCsv(text: string): CsvRecord[] {
  const out: CsvRecord[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    let j = i;
    while (j < n && BLANK.has(text[j]!)) j++;
    if (j === n || text[j] === '\n' || text[j] === '#') {
      // A blank line or a comment: skipped whole.
      const end = text.indexOf('\n', j);
      if (end < 0) break;
      i = end + 1;
      line++;
      continue;
    }
    const start = line;
    const fields: string[] = [];
    for (;;) {
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      if (text[i] === '"') {
        let value = '';
        for (i++; ; i++) {
          if (i >= n) throw new CsvError(start, 'a quoted field is not closed: a field that starts with " ends with " (a quote inside it is written "")');
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] !== '"') break;
            i++;
          } else if (c === '\n') line++;
          value += c;
        }
        i++;
        while (i < n && BLANK.has(text[i]!)) i++;
        if (i < n && text[i] !== ',' && text[i] !== '\n') throw new CsvError(line, 'text after the closing " of a quoted field (a quote inside a quoted field is written "")');
        fields.push(value);
      } else {
        const from = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n') i++;
        fields.push(text.slice(from, i).trim());
      }
      if (text[i] !== ',') break;
      i++;
    }
    out.push({ fields, line: start });
    i++; // the record's line break
    line++;
  }
  return out;
}

export const CSV_COLUMNS = ['position', 'domain', 'registry', 'state', 'attempts', 'resultCode', 'serverTransactionId', 'expiresAt', 'skipped', 'errorCode', 'errorMessage', 'errorUpstreamCode'] as const;

function field(v: unknown): string {
  const s = v === null || v === undefined ? '' : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

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
  error: { code: string; message: string; upstreamCode?: number | null } | null;
}

export function csvRow(i: CsvItem): string {
  return [i.position, i.domainName, i.registry, i.state, i.attempts, i.transaction?.resultCode, i.transaction?.serverTransactionId, i.expiresAt, i.skipped, i.error?.code, i.error?.message, i.error?.upstreamCode].map(field).join(',');
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
