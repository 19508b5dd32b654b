/**
 * A command written to the command log before sending whose session was gone before it could be
 * written ends NOT_SENT (nothing applied), never UNKNOWN, and its key is not spent (issue 8, item 9).
 * The EPP adapter over real TLS against the scripted server, with the gateway's command log and
 * idempotency service on a fresh database, wired as the gateway wires them.
 */
import 'reflect-metadata';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { EppBackend } from '../../src/backends/epp/index.js';
import { CommandLog, type CommandEvent } from '../../src/commandlog/command-log.js';
import { systemClock } from '../../src/core/clock.js';
import { Fingerprints } from '../../src/idempotency/fingerprint.js';
import { IdempotencyService } from '../../src/idempotency/service.js';
import { commandLogEntry } from '../../resolvers/commandlog/commandlog.resolver.js';
import { freshDatabase, type TestDatabase } from '../helpers/db.js';
import { ScriptedEppServer, URIS } from '../helpers/epp-tls-server.js';

let db: TestDatabase;
let server: ScriptedEppServer;
let backend: EppBackend;
let log: CommandLog;
/** Runs while the next command is being announced (after its session was taken, before it is written). */
let duringAnnouncement: (() => Promise<void>) | null = null;
/** The registry refuses new logins (2502 session limit exceeded). */
let refuseLogins = false;

const renewed = { code: 1000, resData: { 'domain:renData': { '@xmlns:domain': URIS.domain, 'domain:name': 'x.tld', 'domain:exDate': '2028-01-01T00:00:00.0Z' } } };
const input = { name: 'x.tld', currentExpiry: new Date('2027-01-01T00:00:00Z'), period: { value: 1, unit: 'y' as const } };

beforeAll(async () => {
  db = await freshDatabase();
  log = new CommandLog(db.prisma, pino({ level: 'silent' }), systemClock);
  server = new ScriptedEppServer({
    handler: () => renewed,
    loginAnswer: () => (refuseLogins ? { code: 2502, msg: 'Session limit exceeded; server closing connection' } : null),
  });
  const { host, port, ca } = await server.start();
  const start = async (e: CommandEvent) => {
    await log.start(e);
    const hook = duringAnnouncement;
    duringAnnouncement = null;
    await hook?.();
  };
  backend = new EppBackend(
    { name: 'scripted', kind: 'epp', host, port, tls: { ca, servername: 'localhost' }, accounts: { acme: { clientId: 'NewRegistrar', password: 'foo-BAR2' } }, poolSize: 1, keepAliveMs: 0 },
    { onCommand: log.record, onCommandStart: start },
  );
});
afterEach(() => (duringAnnouncement = null));
afterAll(async () => {
  await backend?.close();
  await server?.stop();
  await db?.close();
});

const fingerprints = new Fingerprints(Buffer.from('unsent-test-fingerprint-key-of-32+-bytes'));
const service = () => new IdempotencyService(db.prisma, systemClock, { fingerprints }, { commandLog: log });
const renew = (key: string) =>
  service().run({ registrarId: 'acme', key, operation: 'renewDomain', args: input, backend: 'scripted' }, async () => {
    const r = await backend.renewDomain({ registrarId: 'acme', idempotencyKey: key, operation: 'renewDomain' }, input);
    return { trid: r.trid, code: r.code };
  });
async function outcomes(key: string) {
  await log.flush();
  return (await db.prisma.commandLog.findMany({ where: { idempotencyKey: key }, orderBy: { id: 'asc' } })).map((row) => commandLogEntry(row).outcome);
}
/** The registry closes the connection while the command is being announced. */
const dropConnection = async () => {
  server.dropAll();
  await vi.waitFor(() => expect(server.openConnections).toBe(0));
  await vi.waitFor(() => expect(backend.driver['pools'].get('acme')!.openSessions).toHaveLength(0));
};

it('sent over a fresh login instead; the entry of the attempt that never went out says NOT_SENT', async () => {
  await backend.checkDomains({ registrarId: 'acme' }, ['warm.tld']).catch(() => undefined); // an open, used session
  duringAnnouncement = dropConnection;
  const out = await renew('unsent-1');
  expect(out).toMatchObject({ replayed: false, result: { code: 1000 } });
  expect(server.commands('domain:renew')).toHaveLength(1);
  expect(await outcomes('unsent-1')).toEqual(['NOT_SENT', 'SUCCEEDED']);
});

it('no session at all: the key is released, nothing stays UNKNOWN, the retry sends', async () => {
  await backend.checkDomains({ registrarId: 'acme' }, ['warm.tld']).catch(() => undefined);
  duringAnnouncement = async () => {
    refuseLogins = true;
    await dropConnection();
  };
  await expect(renew('unsent-2')).rejects.toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', maybeApplied: false });
  expect(await db.prisma.idempotencyRecord.count({ where: { idempotencyKey: 'unsent-2' } })).toBe(0);
  expect(await outcomes('unsent-2')).toEqual(['NOT_SENT']);
  refuseLogins = false;
  expect(await renew('unsent-2')).toMatchObject({ replayed: false });
  expect(await outcomes('unsent-2')).toEqual(['NOT_SENT', 'SUCCEEDED']);
});
