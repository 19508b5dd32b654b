/**
 * Secrets the gateway must keep for later work are kept sealed and only as long as they are
 * needed, and secrets written into a document are not echoed in errors (security audit,
 * 2026-12-02). Canaries planted through the GraphQL API are looked for in every row of the
 * gateway's tables afterwards:
 * - sandboxReset's answer carries the transfer fixture's auth code; the idempotency record that
 *   replays it keeps it sealed (it was plaintext in `idempotency_records.response`), and the
 *   replay still answers the code;
 * - a bulkTransfer item keeps its sealed auth code until it is final, then the seal is dropped:
 *   items settled by the runner (EPP, refused at once), by the registry's queued result (Joker,
 *   AWAITING_REGISTRY first) and by a cancel (README: "until their item runs"; the seals stayed);
 * - a literal of the wrong type under authInfo, and a syntax error at a string, do not quote it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allItems, waitFinished } from '../helpers/bulk.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const k = () => randomUUID();
const TABLES = ['idempotency_records', 'bulk_items', 'bulk_jobs', 'command_log', 'poll_messages'];
const BULK_TRANSFER = `mutation($k: String!, $d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: $k, domains: $d) { job { id } } }`;
const RESET = `mutation($k: String!) { sandboxReset(idempotencyKey: $k, registry: "sandbox-headless") { replayed transferAuthInfo } }`;

/** Every row of the gateway's own tables, as JSON text. */
async function rows(t: TestGateway): Promise<string> {
  await t.gateway.commandLog.flush();
  const out: string[] = [];
  for (const table of TABLES) {
    const r = await t.gateway.services.prisma.$queryRawUnsafe<{ row: string }[]>(`SELECT row_to_json(t)::text AS row FROM ${table} AS t`);
    out.push(...r.map((x) => x.row));
  }
  return out.join('\n');
}

describe('secrets at rest and in errors', () => {
  let t: TestGateway;
  let A: string;
  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        c.poll.intervalMs = 200;
        for (const b of c.backends) if (b.kind === 'joker') (b as { sandbox?: object }).sandbox = { domainDelayMs: 50 };
      },
    });
    A = t.keys['NewRegistrar']!;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("keeps sandboxReset's transfer auth code sealed in the record it replays, and replays the code", async () => {
    const key = k();
    const first = await t.gql(A, RESET, { k: key });
    expect(first.errors).toBeUndefined();
    const code: string = first.data.sandboxReset.transferAuthInfo;
    expect(code).toMatch(/^\S{6,}$/);
    const again = await t.gql(A, RESET, { k: key });
    expect(again.data.sandboxReset).toEqual({ replayed: true, transferAuthInfo: code });
    const record = await t.gateway.services.prisma.idempotencyRecord.findFirst({ where: { idempotencyKey: key } });
    expect(JSON.stringify(record!.response)).toMatch(/"transferAuthInfo":"sealed:aes-256-gcm:/);
    expect(await rows(t)).not.toContain(code);
  });

  it('drops a bulkTransfer item’s sealed auth code once the item is final, whichever way it ends', async () => {
    const canaries = ['Canary-Bulk-Epp-1', 'Canary-Bulk-Joker-2'];
    const sub = await t.gql(A, BULK_TRANSFER, { k: k(), d: [{ name: 'example.example', authInfo: canaries[0] }, { name: 'rival.joker.test', authInfo: canaries[1] }] });
    expect(sub.errors).toBeUndefined();
    const id: string = sub.data.bulkTransfer.job.id;
    await waitFinished(t, A, id);
    const items = await allItems(t, A, id);
    // EPP refuses at once; Joker queues the request (AWAITING_REGISTRY) and refuses in its result.
    expect(items.map((i) => [i.domainName, i.state, i.error?.upstreamCode])).toEqual([
      ['example.example', 'FAILED', 2202],
      ['rival.joker.test', 'FAILED', 2202],
    ]);
    const stored = await t.gateway.services.prisma.bulkItem.findMany({ where: { jobId: id }, orderBy: { position: 'asc' } });
    expect(stored.map((s) => (s.input as { authInfo?: string } | null)?.authInfo ?? null)).toEqual([null, null]);
    const all = await rows(t);
    for (const c of canaries) expect(all).not.toContain(c);
  });

  it('drops the sealed auth codes of cancelled items', async () => {
    // The runner is stopped, so the items are certainly still unstarted when the cancel comes.
    await t.gateway.services.bulk.stop();
    const sub = await t.gql(A, BULK_TRANSFER, { k: k(), d: [{ name: 'example.example', authInfo: 'Canary-Cancel-3' }] });
    const id: string = sub.data.bulkTransfer.job.id;
    const before = await t.gateway.services.prisma.bulkItem.findMany({ where: { jobId: id } });
    expect((before[0]!.input as { authInfo: string }).authInfo).toMatch(/^sealed:aes-256-gcm:/);
    const cancel = await t.gql(A, `mutation($id: ID!, $k: String!) { cancelBulkJob(id: $id, idempotencyKey: $k) { counts { cancelled } } }`, { id, k: k() });
    expect(cancel.data.cancelBulkJob.counts.cancelled).toBe(1);
    const after = await t.gateway.services.prisma.bulkItem.findMany({ where: { jobId: id } });
    expect([after[0]!.state, (after[0]!.input as { authInfo?: string } | null)?.authInfo ?? null]).toEqual(['CANCELLED', null]);
  });

  it('does not quote an auth code written as a literal of the wrong type, nor a string a syntax error stops at', async () => {
    const literal = await t.gql(A, `mutation { requestTransfer(idempotencyKey: "${k()}", domainName: "example.example", authInfo: {a: "Canary-Literal-4"}) { replayed } }`);
    expect(literal.errors).toEqual([
      expect.objectContaining({ message: 'authInfo: is not a valid value of its type (a secret: not shown)', extensions: { code: 'GRAPHQL_VALIDATION_FAILED', field: 'authInfo' } }),
    ]);
    const nested = await t.gql(A, `mutation { bulkTransfer(idempotencyKey: "${k()}", domains: [{name: "example.example", authInfo: 12345678}]) { job { id } } }`);
    expect(nested.errors?.[0]).toMatchObject({ message: 'domains[0].authInfo: is not a valid value of its type (a secret: not shown)', extensions: { field: 'domains[0].authInfo' } });
    // A secret left out is named as left out (its message quotes no value).
    const missing = await t.gql(A, `mutation { bulkTransfer(idempotencyKey: "${k()}", domains: [{name: "example.example"}]) { job { id } } }`);
    expect(missing.errors?.[0]).toMatchObject({ message: 'Field "BulkTransferItemInput.authInfo" of required type "String!" was not provided.', extensions: { field: 'domains[0].authInfo' } });
    // Another argument's literal is still quoted: only secrets are hidden.
    const other = await t.gql(A, `{ domain(name: {a: "not-secret"}) { name } }`);
    expect(other.errors?.[0]!.message).toContain('not-secret');
    const syntax = await t.gql(A, `mutation { requestTransfer(authInfo: "Canary-Syntax-5" "Canary-Syntax-6") { replayed } }`);
    expect(syntax.errors).toEqual([expect.objectContaining({ message: 'Syntax Error: Expected Name, found String (its text not shown).', extensions: { code: 'GRAPHQL_PARSE_FAILED' } })]);
    expect(JSON.stringify([literal, nested, syntax])).not.toMatch(/Canary|12345678/);
  });
});
