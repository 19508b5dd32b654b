/**
 * A gateway process with tracing on whose collector accepts connections and never answers (a
 * hung collector) still stops on SIGTERM: the last export is given up after
 * `tracing.exportTimeoutMs`, which bounds it even where the environment asks the SDK to wait ten
 * minutes (OTEL_BSP_EXPORT_TIMEOUT, OTEL_EXPORTER_OTLP_TIMEOUT), and the process logs once that the
 * last spans were not exported, then exits 0.
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { defaultConfig } from '../../src/config.js';
import { spawnGateway, type GatewayProcess } from '../helpers/processes.js';

let dir: string;
let collector: net.Server;
const held: net.Socket[] = [];
const running: GatewayProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-trace-stop-'));
  const testDb = inject('testDb');
  if (testDb.kind === 'pglite') await cp(testDb.templateDir, path.join(dir, 'data', 'pglite'), { recursive: true });
  collector = net.createServer((s) => void held.push(s)); // accepts, reads, never answers
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill()));
  for (const s of held) s.destroy();
  await new Promise<void>((resolve) => collector.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

it('SIGTERM while the collector never answers: the process logs that the last spans were not exported, once, and exits 0', { timeout: 180_000 }, async () => {
  const config = defaultConfig();
  config.poll.enabled = false;
  config.tracing = { enabled: true, protocol: 'http/json', endpoint: `http://127.0.0.1:${(collector.address() as net.AddressInfo).port}/v1/traces`, exportTimeoutMs: 200 };
  const p = await spawnGateway({
    config,
    configPath: path.join(dir, 'gateway.config.json'),
    databaseUrl: '', // the embedded database
    env: { DATA_DIR: path.join(dir, 'data'), OTEL_BSP_EXPORT_TIMEOUT: '600000', OTEL_EXPORTER_OTLP_TIMEOUT: '600000' },
    startTimeoutMs: 90_000,
  });
  running.push(p);
  const [, key] = await p.waitForOutput(/^\s+NewRegistrar\s+(rgw_\S+)$/m);
  const res = await fetch(p.url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query: '{ __typename }' }) });
  expect(res.status).toBe(200); // one operation: one span waits in the batch for the last export

  const end = await p.stop(); // SIGTERM (SIGKILL only if it had not exited after 5 s)
  expect(end).toEqual({ code: 0, signal: null });
  const lines = p.output().split('\n').filter((l) => l.includes('the last spans could not be exported'));
  expect(lines).toHaveLength(1);
  expect(JSON.parse(lines[0]!)).toMatchObject({ exportTimeoutMs: 200 });
  expect(p.output()).toContain('gateway closed');
});
