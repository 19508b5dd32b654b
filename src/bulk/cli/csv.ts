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
