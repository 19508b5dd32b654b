/**
 * A gateway whose /metrics answers the network without a token says so once in its log at start
 * (with how to set the token); one that asks for a token, or listens on loopback only, does not.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config.types.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** Starts a gateway logging to memory; returns it with its log lines. */
async function started(configure: (c: GatewayConfig) => void) {
  const lines: Array<{ level: number; msg: string; host?: string | null }> = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  const t = await startTestGateway({ logger: pino({ level: 'info' }, sink), configure: (c) => ((c.poll.enabled = false), configure(c)) });
  running.push(t);
  return { t, lines, warnings: () => lines.filter((l) => l.level === 40 && /metrics/i.test(l.msg)) };
}

const running: TestGateway[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((t) => t.close()));
});

describe('/metrics open to the network', () => {
  it('is warned about once at start when the gateway listens on every interface without a metrics token', async () => {
    const { t, warnings } = await started((c) => {
      c.host = '0.0.0.0';
      delete c.metrics;
    });
    expect(warnings()).toHaveLength(1);
    expect(warnings()[0]!.msg).toContain('METRICS_TOKEN');
    expect(warnings()[0]!.msg).toContain('0.0.0.0');
    expect(warnings()[0]!.host).toBe('0.0.0.0');
    // What the warning is about: anyone reaching the port reads the metrics.
    expect((await fetch(t.gateway.url.replace(/graphql$/, 'metrics'))).status).toBe(200);
    await t.gql(null, '{ __typename }');
    expect(warnings()).toHaveLength(1);
  });

  it('is not warned about with a token, on loopback, or with metrics off', async () => {
    for (const configure of [
      (c: GatewayConfig) => ((c.host = '0.0.0.0'), (c.metrics = { token: 'metrics-token-for-tests' })),
      (c: GatewayConfig) => ((c.host = '127.0.0.1'), delete c.metrics),
      (c: GatewayConfig) => ((c.host = '0.0.0.0'), (c.metrics = { enabled: false })),
    ]) {
      const { lines, warnings } = await started(configure);
      expect(lines.some((l) => l.msg === 'gateway listening')).toBe(true);
      expect(warnings()).toEqual([]);
    }
  });
});
