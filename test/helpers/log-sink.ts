import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

/** One JSON log line as pino writes it. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/**
 * A pino logger at `level` whose lines are kept in memory, parsed (`lines`, in order), for a
 * test's gateway (startTestGateway's `logger`); `next(prefix)` resolves with the first line
 * written from then on whose message starts with `prefix` (an event, not a wait by the clock).
 */
export function capturedLog(level = 'info'): { logger: Logger; lines: LogLine[]; next(prefix: string): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const waiting: Array<{ prefix: string; resolve: (l: LogLine) => void }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const text of String(chunk).split('\n').filter(Boolean)) {
        const line = JSON.parse(text) as LogLine;
        lines.push(line);
        for (let i = waiting.length - 1; i >= 0; i--) {
          if (!line.msg.startsWith(waiting[i]!.prefix)) continue;
          waiting[i]!.resolve(line);
          waiting.splice(i, 1);
        }
      }
      done();
    },
  });
  return {
    logger: pino({ level }, sink),
    lines,
    next: (prefix) => new Promise((resolve) => waiting.push({ prefix, resolve })),
  };
}
