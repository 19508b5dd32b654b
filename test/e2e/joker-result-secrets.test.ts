/**
 * A Joker result that carries a secret: the Auth-ID of a domain-transfer-get-auth-id the
 * reseller's own tools sent (the gateway never sends it). Review defect: the poller copied the
 * whole result into the poll message's `raw`, so the Auth-ID reached the database, subscriptions
 * and `pollMessages`, and then deleted the result upstream (result-delete), so the tool that asked
 * for the code could no longer retrieve it. Now the message's `raw` and text mask it, no row the
 * gateway writes and no log line holds it, and the result stays at Joker, where the tool's
 * result-retrieve still finds the code; the poller delivers it once and does not read it again.
 * Over HTTPS against the Joker sandbox, the tool a separate DMAPI client (test/helpers/dmapi.ts).
 */
import { Writable } from 'node:stream';
import { createClient } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { JokerBackendConfig } from '../../src/backends/joker/config.js';
import { JOKER_SANDBOX_ACCOUNTS, type JokerSandbox } from '../../src/sandbox/joker/index.js';
import { dmapiSession } from '../helpers/dmapi.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let joker: JokerSandbox;
let cfg: JokerBackendConfig;
let A: string;
let logged = '';
const TABLES = ['idempotency_records', 'bulk_items', 'bulk_jobs', 'command_log', 'poll_messages'];

beforeAll(async () => {
  const sink = new Writable({ write: (chunk, _enc, done) => void ((logged += String(chunk)), done()) });
  t = await startTestGateway({
    logger: pino({ level: 'debug' }, sink),
    configure: (c) => {
      c.poll.intervalMs = 3_600_000; // rounds when pollMessages asks (drainNow)
      keepBackends(c, ['joker'], 'sandbox-joker');
      cfg = c.backends[0] as JokerBackendConfig;
      cfg.sandbox = { domainDelayMs: 0 };
    },
  });
  joker = t.gateway.sandboxes.sandboxes.get('sandbox-joker') as JokerSandbox;
  A = t.keys.NewRegistrar!;
}, 60_000);
afterAll(() => t?.close());

const MESSAGES = 'query($o: [String!]) { pollMessages(objects: $o) { edges { node { id type message raw upstreamId } } } }';

/**
 * Resolves once a subscription of `registrarId` listens for poll events on the gateway
 * (PollEvents.listen has resolved: events published from then on reach it), by wrapping the
 * gateway's own PollEvents.listen until then. Call it before subscribing.
 */
function subscriptionListening(registrarId: string): Promise<void> {
  const events = t.gateway.services.events;
  const listen = events.listen;
  return new Promise((resolve, reject) => {
    events.listen = async (id, listener) => {
      const stop = await listen.call(events, id, listener).catch((e: unknown) => {
        if (id === registrarId) reject(e);
        throw e;
      });
      if (id === registrarId) {
        events.listen = listen;
        resolve();
      }
      return stop;
    };
  });
}

/** Every row of the gateway's own tables, as JSON text. */
async function rows(): Promise<string> {
  await t.gateway.commandLog.flush();
  const out: string[] = [];
  for (const table of TABLES) out.push(...(await t.gateway.services.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM ${table} AS t`)).map((x) => x.row));
  return out.join('\n');
}

it("a domain-transfer-get-auth-id result: delivered once with its Auth-ID masked everywhere, and left at Joker for the tool that asked", async () => {
  const name = 'alpha.joker.test';
  // Subscribed before the result exists: the live message is the stored one.
  const live: any[] = [];
  const waiting: Array<{ ok: (x: any) => boolean; resolve: () => void }> = [];
  let fail!: (e: unknown) => void;
  /** Rejects when the subscription fails or ends: no wait below then lasts to the test's timeout. */
  const broken = new Promise<never>((_, reject) => (fail = reject));
  broken.catch(() => undefined);
  /** Resolves once a live result `ok` accepts has come (it may have already). */
  const arrived = (ok: (x: any) => boolean) => Promise.race([live.some(ok) ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ ok, resolve })), broken]);
  const ws = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${A}` }, retryAttempts: 0 });
  // Resolves once the subscription's stream listens: a result stored from then on reaches it.
  const listening = subscriptionListening('NewRegistrar');
  ws.subscribe(
    { query: `subscription { pollMessages(objects: ["${name}"]) { id message raw upstreamId } }` },
    {
      next: (r) => {
        live.push(r);
        for (const w of waiting.filter((x) => x.ok(r))) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve();
        }
      },
      error: (e) => fail(e),
      complete: () => fail(new Error('the subscription ended')),
    },
  );
  await Promise.race([listening, broken]);

  // The reseller's own tool asks Joker for the domain's Auth-ID.
  const tool = await dmapiSession(cfg.url, cfg.tls!.ca!, JOKER_SANDBOX_ACCOUNTS[0].apiKey);
  const asked = await tool('domain-transfer-get-auth-id', { domain: name });
  const procId = asked.h['proc-id'][0];
  const authId = joker.domain(name)!.authId; // processed now: the new Auth-ID
  expect(authId).toMatch(/^\S{8,}$/);

  const before = { retrieve: joker.answered('result-retrieve'), delete: joker.answered('result-delete') };
  const r = await t.gql(A, MESSAGES, { o: [name] });
  expect(r.errors).toBeUndefined();
  const msgs = r.data.pollMessages.edges.map((e: any) => e.node).filter((m: any) => m.upstreamId === procId);
  expect(msgs).toHaveLength(1);
  expect(msgs[0].type).toBe('PENDING_ACTION_COMPLETED');
  expect(msgs[0].message).toContain(`domain-transfer-get-auth-id ${name} (Proc-ID ${procId}) completed`);
  expect(msgs[0].raw).toContain('Auth-ID: ****');
  expect(JSON.stringify(msgs[0])).not.toContain(authId);
  expect({ retrieve: joker.answered('result-retrieve') - before.retrieve, delete: joker.answered('result-delete') - before.delete }).toEqual({ retrieve: 1, delete: 0 });

  // The subscription got it masked too; no row the gateway wrote, and no log line, holds the code.
  await arrived((x) => x.data?.pollMessages?.upstreamId === procId);
  expect(JSON.stringify(live)).not.toContain(authId);
  await ws.dispose();
  expect(await rows()).toContain(procId);
  expect(await rows()).not.toContain(authId);
  expect(logged).toContain('poll queue drained'); // the log was captured
  expect(logged).not.toContain(authId);

  // The tool still retrieves its code: the gateway did not delete the result.
  const kept = await tool('result-retrieve', { 'proc-id': procId });
  expect(kept.body).toContain(`Auth-ID: ${authId}`);

  // The next round lists it again but neither retrieves nor stores it again.
  const again = { retrieve: joker.answered('result-retrieve'), list: joker.answered('result-list') };
  const r2 = await t.gql(A, MESSAGES, { o: [name] });
  expect(r2.data.pollMessages.edges.filter((e: any) => e.node.upstreamId === procId)).toHaveLength(1);
  expect({ list: joker.answered('result-list') - again.list, retrieve: joker.answered('result-retrieve') - again.retrieve }).toEqual({ list: 1, retrieve: 0 });
}, 60_000);
