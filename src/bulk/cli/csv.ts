/** Per-item results as CSV (RFC 4180: fields with a comma, quote or line break are quoted, quotes doubled). */
import { createWriteStream } from 'node:fs';

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

/** Writes the header and rows to `path`; resolves when the file is closed. */
export async function writeCsv(path: string, pages: AsyncIterable<CsvItem[]>): Promise<number> {
  const out = createWriteStream(path);
  let n = 0;
  out.write(`${CSV_COLUMNS.join(',')}\n`);
  for await (const page of pages) {
    for (const item of page) out.write(`${csvRow(item)}\n`);
    n += page.length;
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return n;
}
