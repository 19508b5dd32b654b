/**
 * With the collector down, a stop while an export was under way logged OpenTelemetry's own
 * report of it (the exporter's ECONNREFUSED, through the SDK's diagnostic logger) and not the
 * line README "Traces" documents. Now whatever the SDK reports while stopping is said once as
 * `the last spans could not be exported`, its report in `detail`.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { expect, it } from 'vitest';
import { startTracing } from '../../../src/observe/tracing.js';

it('an export refused while the gateway stops: the documented line once, not the raw ECONNREFUSED report', async () => {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write: (c: Buffer, _e, cb) => (lines.push(JSON.parse(String(c)) as Record<string, unknown>), cb()) });
  let release: (() => void) | undefined;
  const exporter = {
    // The collector is down: the export under way fails, as the OTLP exporter's does, once the stop has begun.
    export: (_spans: unknown[], done: (r: { code: number; error?: Error }) => void) => {
      release = () => done({ code: 1, error: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4318'), { code: 'ECONNREFUSED' }) });
    },
    shutdown: async () => undefined,
    forceFlush: async () => undefined,
  };
  const tracing = (await startTracing({ enabled: true, exportTimeoutMs: 2000 }, pino({ level: 'info' }, sink), exporter as never))!;
  // A full batch (512 spans, the processor's default) starts an export at once, before any stop.
  for (let i = 0; i < 512; i++) tracing.tracer.startSpan(`op ${i}`).end();
  await new Promise((r) => setImmediate(r));
  expect(release).toBeDefined();
  const stopped = tracing.shutdown();
  release!();
  await stopped;
  await new Promise((r) => setImmediate(r));
  const documented = lines.filter((l) => l.msg === 'the last spans could not be exported');
  expect(documented).toHaveLength(1);
  expect(JSON.stringify(documented[0])).toContain('ECONNREFUSED');
  expect(lines.filter((l) => l.msg !== 'the last spans could not be exported')).toEqual([]);
});
