/**
 * The in-process sandboxes keep their TLS certificates beside their state (src/sandbox/tls-store.ts):
 * started again on the same state folder, as a restarted zero-setup gateway starts them, each
 * serves the certificate of the first start, so a client that trusts the CA it was given then
 * still connects. Each start imports the sandbox modules afresh (vi.resetModules), as a new
 * process does: the certificates are otherwise also kept in the module's memory.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { afterAll, expect, it, vi } from 'vitest';
import { defaultConfig } from '../../../src/config.js';
import { systemClock } from '../../../src/core/clock.js';
import type { GatewayConfig } from '../../../src/config.types.js';

const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
});

/** The zero-setup config's sandboxes, started as by a new process on `stateDir`; the config's backends then point at them. */
async function startFresh(stateDir: string): Promise<{ config: GatewayConfig; stop(): Promise<void> }> {
  vi.resetModules();
  const { startSandboxes } = await import('../../../src/sandbox/start.js');
  const config = defaultConfig();
  const running = await startSandboxes(config, systemClock, stateDir);
  return { config, stop: running.stop };
}

type TlsBackend = { name: string; host?: string; port?: number; url?: string; tls?: { ca?: string; cert?: string; key?: string } };

/** Whether a TLS client trusting only `ca` (and presenting the backend's client certificate, where it has one) completes a handshake with the backend's sandbox. */
function connects(b: TlsBackend, ca: string): Promise<boolean> {
  const port = b.port ?? Number(new URL(b.url!).port);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca, cert: b.tls?.cert, key: b.tls?.key, rejectUnauthorized: true });
    socket.once('secureConnect', () => {
      resolve(socket.authorized);
      socket.destroy();
    });
    socket.once('error', () => resolve(false));
  });
}

const backends = (c: GatewayConfig) => c.backends as unknown as TlsBackend[];

it('a restart on the same state folder serves the first start\'s certificates: clients trusting the first CAs connect to every sandbox', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-sandbox-tls-'));
  dirs.push(dir);
  const first = await startFresh(dir);
  const cas = new Map(backends(first.config).map((b) => [b.name, b.tls!.ca!]));
  expect(cas.size).toBeGreaterThanOrEqual(4); // EPP (two), REPP, Joker, HeadlessDomains
  await first.stop();

  const second = await startFresh(dir);
  try {
    for (const b of backends(second.config)) expect({ backend: b.name, connects: await connects(b, cas.get(b.name)!) }).toEqual({ backend: b.name, connects: true });
  } finally {
    await second.stop();
  }
});

it('a damaged stored certificate is made again: the sandboxes start, and serve the CA they hand out', { timeout: 120_000 }, async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rgw-sandbox-tls-'));
  dirs.push(dir);
  const first = await startFresh(dir);
  const cas = new Map(backends(first.config).map((b) => [b.name, b.tls!.ca!]));
  await first.stop();
  await writeFile(path.join(dir, 'tls', 'epp.json'), '{"key": "not a key", "cert": "not a certificate"}');
  await writeFile(path.join(dir, 'tls', 'https.json'), '{ half a fi');

  const second = await startFresh(dir);
  try {
    for (const b of backends(second.config)) {
      expect({ backend: b.name, connects: await connects(b, b.tls!.ca!) }).toEqual({ backend: b.name, connects: true });
      expect(b.tls!.ca).not.toBe(cas.get(b.name));
    }
  } finally {
    await second.stop();
  }
});
