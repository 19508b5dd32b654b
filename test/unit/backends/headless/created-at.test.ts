/**
 * createDomain's createdAt at HeadlessDomains when the registry's answer names no creation time:
 * the gateway's clock at sending (GUIDE section 3), not the machine's wall clock. The sandbox
 * answers through a relay that drops `lifecycle.created_at` from the create's registration, as a
 * registry may; both run over real sockets on a fake clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { setSandboxToken, type HeadlessAccountConfig } from '../../../../src/backends/headless/config.js';
import { HeadlessDriver } from '../../../../src/backends/headless/index.js';
import { PortableBackend } from '../../../../src/backends/portable.js';
import { FakeClock } from '../../../../src/core/clock.js';
import { HeadlessSandbox } from '../../../../src/sandbox/headless/index.js';

const clock = new FakeClock('2031-03-04T05:06:07Z');
const sandbox = new HeadlessSandbox({ clock, registrars: ['acme'] });
const accounts: Record<string, HeadlessAccountConfig> = {};
let relay: http.Server;
let port: PortableBackend;

beforeAll(async () => {
  const upstream = (await sandbox.start()).url;
  for (const r of sandbox.registrars) setSandboxToken((accounts[r.registrarId] = { channelId: r.channelId }), r.token);
  relay = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !['host', 'content-length', 'connection'].includes(k)) as [string, string][]);
    const answer = await fetch(upstream.replace(/\/$/, '') + req.url, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    const body = (await answer.json()) as { registration?: { lifecycle?: Record<string, unknown> } };
    if (req.method === 'POST' && req.url === '/domains') delete body.registration?.lifecycle?.created_at;
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
  port = new PortableBackend(new HeadlessDriver({ name: 'hd', kind: 'headless', url, accounts }, { clock }), { clock });
});
afterAll(async () => {
  await port?.close();
  await new Promise((r) => relay?.close(r));
  await sandbox.stop();
});

test("a create answered without created_at is dated by the gateway's clock at sending, not the wall clock", async () => {
  const sentAt = clock.now();
  const r = await port.createDomain({ registrarId: 'acme' }, { name: 'dated.hdtest', period: { value: 1, unit: 'y' }, contacts: [], nameservers: [{ name: 'ns1.example.net', ipv4: [], ipv6: [] }], authInfo: 'Dated-pw1' });
  expect(r.data.createdAt).toEqual(sentAt);
  // The registry's expiry is still read from the answer.
  expect(r.data.expiresAt).toEqual(new Date('2032-03-04T05:06:07Z'));
});
