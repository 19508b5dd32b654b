/**
 * Writes replies in the DMAPI format (document, "Basics"): header lines "Name: value", an empty
 * line, then the body. The sandbox's own writer, independent of the adapter's parser.
 */
export type Header = [string, string];

/** A DMAPI reply (document, "Basics"): "Name: value" header lines (line breaks in values become spaces), an empty line, body lines. */
export function writeReply(headers: readonly Header[], body: readonly string[] = []): string {
  const head = headers.map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}`).join('\n');
  return `${head}\n\n${body.map((l) => `${l}\n`).join('')}`;
}

/** YYYYMMDDHHMMSS in UTC, the document's TimeStamp format. */
export function stamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/** YYYY-MM-DD in UTC. */
export function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}
