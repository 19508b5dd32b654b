/** Limits from config, and what the zero-setup start listens on (issue 8, items 1, 3, 12). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/config-error.js';
import { DEFAULT_LIMITS, resolveLimits } from '../../../src/limits/limits.js';

const base = { maxDepth: 12, maxBatch: 500 };

describe('limits from config', () => {
  it('fill in the documented defaults', () => {
    expect(resolveLimits({ limits: base })).toEqual({ ...DEFAULT_LIMITS, maxDepth: 12 });
    expect(DEFAULT_LIMITS).toMatchObject({ maxTokens: 2000, maxAliases: 50, maxDirectives: 50, maxFields: 20000, maxCost: 60000, maxErrors: 50, rateLimit: { points: 120000, durationSec: 10 } });
  });

  it('take configured values, and rateLimit false turns the rate limit off', () => {
    expect(resolveLimits({ limits: { ...base, maxCost: 300, rateLimit: false } })).toMatchObject({ maxCost: 300, rateLimit: false });
  });

  it('a WebSocket connection may send 1,000 messages per 10 s by default; a budget no bigger than maxSubscriptions is refused (a client opening them all at once would be closed)', () => {
    expect(resolveLimits({ limits: base }).wsMessages).toEqual({ messages: 1000, durationSec: 10 });
    expect(resolveLimits({ limits: { ...base, wsMessages: { messages: 200, durationSec: 1 } } }).wsMessages).toEqual({ messages: 200, durationSec: 1 });
    expect(() => resolveLimits({ limits: { ...base, wsMessages: { messages: 100, durationSec: 1 } } })).toThrow(/limits.wsMessages.messages \(100\) must be more than limits.maxSubscriptions \(100\)/);
    expect(() => resolveLimits({ limits: { ...base, maxSubscriptions: 5, wsMessages: { messages: 0, durationSec: 1 } } })).toThrow(/limits.wsMessages must be/);
    expect(() => resolveLimits({ limits: { ...base, wsMessages: { messages: 500, durationSec: 0.5 } } })).toThrow(/limits.wsMessages must be/);
  });

  it('a key may hold 32 WebSocket connections open on an instance, an address 256, by default; each takes a whole number of 1 or more', () => {
    expect(resolveLimits({ limits: base })).toMatchObject({ wsConnectionsPerKey: 32, wsConnectionsPerAddress: 256 });
    expect(resolveLimits({ limits: { ...base, wsConnectionsPerKey: 4, wsConnectionsPerAddress: 1000 } })).toMatchObject({ wsConnectionsPerKey: 4, wsConnectionsPerAddress: 1000 });
    for (const bad of [0, -1, 2.5, '8', null, Number.POSITIVE_INFINITY]) {
      expect(() => resolveLimits({ limits: { ...base, wsConnectionsPerKey: bad as number } })).toThrow(ConfigError);
      expect(() => resolveLimits({ limits: { ...base, wsConnectionsPerKey: bad as number } })).toThrow('config: limits.wsConnectionsPerKey must be a whole number, 1 or more');
      expect(() => resolveLimits({ limits: { ...base, wsConnectionsPerAddress: bad as number } })).toThrow('config: limits.wsConnectionsPerAddress must be a whole number, 1 or more');
    }
  });

  it('an HTTP request has 30 s to arrive whole and 10 s for its headers by default (Node: 300 s and 60 s); the headers may not have longer than the request; the environment sets both', () => {
    expect(resolveLimits({ limits: base })).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000 });
    expect(() => resolveLimits({ limits: { ...base, requestTimeoutMs: 0 } })).toThrow('config: limits.requestTimeoutMs (HTTP_REQUEST_TIMEOUT_MS) must be a whole number of milliseconds, 1 to 2147483647');
    expect(() => resolveLimits({ limits: { ...base, requestTimeoutMs: 5000 } })).toThrow('config: limits.headersTimeoutMs (HTTP_HEADERS_TIMEOUT_MS), 10000 ms, must be at most limits.requestTimeoutMs (HTTP_REQUEST_TIMEOUT_MS), 5000 ms: the headers are part of the request');
    const env = { HTTP_REQUEST_TIMEOUT_MS: '5000', HTTP_HEADERS_TIMEOUT_MS: '2000' };
    expect(resolveLimits(loadConfig(env, tmpdir()))).toMatchObject({ requestTimeoutMs: 5000, headersTimeoutMs: 2000 });
    expect(() => loadConfig({ HTTP_REQUEST_TIMEOUT_MS: '30s' }, tmpdir())).toThrow('config: HTTP_REQUEST_TIMEOUT_MS must be a whole number from 1 to 2147483647');
  });

  it('take a rateLimit with one field left out, the other at its default (it was refused)', () => {
    expect(resolveLimits({ limits: { ...base, rateLimit: { points: 100_000 } as never } })).toMatchObject({ rateLimit: { points: 100_000, durationSec: 10 } });
    expect(resolveLimits({ limits: { ...base, rateLimit: { durationSec: 60 } as never } })).toMatchObject({ rateLimit: { points: 120_000, durationSec: 60 } });
    expect(() => resolveLimits({ limits: { ...base, rateLimit: null as never } })).toThrow(/limits.rateLimit must be false or/);
  });

  it('refuse values that are not whole numbers of 1 or more', () => {
    expect(() => resolveLimits({ limits: { ...base, maxTokens: 0 } })).toThrow(/limits.maxTokens/);
    expect(() => resolveLimits({ limits: { ...base, maxCost: 1.5 } })).toThrow(/limits.maxCost/);
    expect(() => resolveLimits({ limits: { ...base, rateLimit: { points: 0, durationSec: 1 } } })).toThrow(/limits.rateLimit/);
  });

  it('refuse a rateLimit.points below maxCost, naming both: the dearest operation maxCost allows could never run (it spends its cost in all)', () => {
    expect(resolveLimits({ limits: { ...base, maxCost: 300, rateLimit: { points: 300, durationSec: 1 } } })).toMatchObject({ maxCost: 300, rateLimit: { points: 300 } });
    expect(() => resolveLimits({ limits: { ...base, maxCost: 300, rateLimit: { points: 299, durationSec: 1 } } })).toThrow(
      /^config: limits.rateLimit.points \(299\) must be at least limits.maxCost \(300\): an operation spends its cost in all/,
    );
    expect(() => resolveLimits({ limits: { ...base, rateLimit: { points: 5000, durationSec: 1 } } })).toThrow(/limits.rateLimit.points \(5000\) must be at least limits.maxCost \(60000, maxCost being its default\)/);
  });
});

describe('listening address', () => {
  const made: string[] = [];
  const dir = () => {
    made.push(mkdtempSync(join(tmpdir(), 'rgw-config-')));
    return made[made.length - 1]!;
  };
  afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it('is loopback for the zero-setup start (it prints keys and serves /metrics without a token)', () => {
    expect(loadConfig({}, dir()).host).toBe('127.0.0.1');
  });

  // Changed on purpose: a config file without `backends` runs the sandboxes and prints their keys
  // too, so it is loopback as the zero-setup start is (it said every interface); every interface is
  // for a file with real registries only (test/unit/config/default-host.test.ts).
  it('is every interface with a config file of real registries that names none, loopback with one that runs the sandboxes, and what HOST says in any case', () => {
    const sandboxes = dir();
    writeFileSync(join(sandboxes, 'gateway.config.json'), JSON.stringify({ port: 4000 }));
    expect(loadConfig({}, sandboxes).host).toBe('127.0.0.1');
    const real = dir();
    const backends = [{ name: 'real-epp', kind: 'epp', host: 'epp.example', port: 700, tls: {}, accounts: { acme: { clientId: 'acme-1', password: 'in-file-Pw1' } } }];
    writeFileSync(join(real, 'gateway.config.json'), JSON.stringify({ port: 4000, registrars: [{ id: 'acme', name: 'Acme' }], backends, routes: [{ suffix: 'example', backend: 'real-epp' }] }));
    expect(loadConfig({}, real).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }, dir()).host).toBe('0.0.0.0');
    expect(loadConfig({ HOST: '0.0.0.0' }, sandboxes).host).toBe('0.0.0.0');
  });
});
