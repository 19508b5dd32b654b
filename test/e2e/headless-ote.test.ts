/**
 * Issue 12's "Done when", as a new user meets it: the zero-setup gateway with its HeadlessDomains
 * sandbox on .hdtest; the account's GET /status facts under viewer.accounts; create -> read ->
 * renew -> patch registrant -> transfer intent -> name servers (pending, then applied) -> cancel
 * through the same GraphQL mutations as every backend; audit rows as poll messages; and the OT&E
 * runner writing its archive through the gateway's API, twice (the second after sandboxReset).
 * Whether a change is still pending is decided by the sandbox's hold()/release(), not by a delay
 * racing the machine's load.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOte } from '../../src/ote/runner.js';
import type { HeadlessSandbox } from '../../src/sandbox/headless/index.js';
import type { TestGateway } from '../helpers/gateway.js';
import { startGatewayWithHoldableSandbox, whileHeld } from '../helpers/held-sandbox.js';

/** A folder for an archive, removed when the file's tests end. */
const made: string[] = [];
const tmp = (prefix: string) => {
  made.push(mkdtempSync(join(tmpdir(), prefix)));
  return made[made.length - 1]!;
};
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));

const k = () => randomUUID();
const DOMAIN = 'name sponsor statuses expiresAt lifecycleState nameserverApplyStatus backendApplyStatus nameservers { name } appliedNameservers { name } registrantInfo { name email organization }';

describe('HeadlessDomains end to end (GraphQL -> HeadlessDomains registrar API over HTTPS -> sandbox)', () => {
  let t: TestGateway;
  let A: string;
  let sandbox: HeadlessSandbox;
  /** Runs `fn` while the registry holds its backend applies, so every change it makes stays pending whatever the machine's load; then lets them apply (at the next request). */
  const held = <T>(fn: () => Promise<T>): Promise<T> => whileHeld(sandbox, fn);
  beforeAll(async () => {
    // applied at once, unless held (held())
    ({ t, key: A, sandbox } = await startGatewayWithHoldableSandbox('headless', { pollIntervalMs: 200, sandbox: { applyDelayMs: 0 } }));
  });
  afterAll(() => t?.close());

  it('shows the HeadlessDomains account with its GET /status facts', async () => {
    const r = await t.gql(A, '{ viewer { accounts { registry kind upstreamId tlds capabilities { contacts poll registrantInfo } status { channelId channelApproved namespaces { tld status } productionApproved keyProfile scopes rateLimit { limit remaining } commands auditChannelId } } } }');
    expect(r.errors).toBeUndefined();
    const hd = r.data.viewer.accounts.find((a: any) => a.kind === 'headless');
    expect(hd).toMatchObject({ registry: 'sandbox-headless', upstreamId: 'chn_newregistrar', tlds: ['hdtest'], capabilities: { contacts: false, poll: true, registrantInfo: true } });
    expect(hd.status).toMatchObject({ channelId: 'chn_newregistrar', channelApproved: true, namespaces: [{ tld: 'hdtest', status: 'approved' }], productionApproved: false, keyProfile: 'registrar_api', auditChannelId: 'chn_newregistrar' });
    expect(hd.status.commands).toEqual(expect.arrayContaining(['renew', 'nameservers', 'cancel', 'poll']));
    expect(r.data.viewer.accounts.find((a: any) => a.kind === 'epp').status).toBeNull();
  });

  it('create, read, renew, patch registrant, transfer intent, name servers pending then applied, cancel', async () => {
    const name = `e2e-${Date.now().toString(36)}.hdtest`;
    const c = await t.gql(A, 'mutation($k: String!, $i: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $i) { name domain { sponsor registrantInfo { name } } } }', {
      k: k(),
      i: { name, authInfo: 'Create-pw-1', registrantInfo: { name: 'Ada', email: 'ada@example.net' }, nameservers: [{ name: 'ns1.example.net' }] },
    });
    expect(c.errors).toBeUndefined();
    expect(c.data.createDomain.domain).toEqual({ sponsor: 'chn_newregistrar', registrantInfo: { name: 'Ada' } });
    const read = async () => (await t.gql(A, `query($n: String!) { domain(name: $n) { ${DOMAIN} } }`, { n: name })).data.domain;
    const before = await read();
    const renew = await t.gql(A, 'mutation($k: String!, $i: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $i) { expiresAt } }', { k: k(), i: { name, currentExpiry: before.expiresAt } });
    expect(renew.errors).toBeUndefined();
    const patch = await t.gql(A, 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { domain { registrantInfo { name organization } } } }', { k: k(), i: { name, registrantInfo: { organization: 'Analytical Engines' } } });
    expect(patch.data.updateDomain.domain.registrantInfo).toEqual({ name: 'Ada', organization: 'Analytical Engines' });
    await held(async () => {
      const xfer = await t.gql(t.keys.TheRegistrar!, 'mutation($k: String!, $n: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: "Seed-newregistrar-1") { transfer { status gainingRegistrar } } }', { k: k(), n: 'newregistrar-seed.hdtest' });
      expect(xfer.errors).toBeUndefined();
      expect(xfer.data.requestTransfer.transfer).toEqual({ status: 'pending', gainingRegistrar: 'chn_theregistrar' });
      const ns = await t.gql(A, 'mutation($k: String!, $i: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $i) { domain { nameserverApplyStatus nameservers { name } appliedNameservers { name } } } }', {
        k: k(),
        i: { name, add: { nameservers: [{ name: 'ns9.example.org' }] }, remove: { nameservers: [{ name: 'ns1.example.net' }] } },
      });
      expect(ns.data.updateDomain.domain).toEqual({ nameserverApplyStatus: 'PENDING', nameservers: [{ name: 'ns9.example.org' }], appliedNameservers: [{ name: 'ns1.example.net' }] });
      expect(await read()).toMatchObject({ nameserverApplyStatus: 'PENDING', appliedNameservers: [{ name: 'ns1.example.net' }] });
    });
    expect(await read()).toMatchObject({ nameserverApplyStatus: 'APPLIED', appliedNameservers: [{ name: 'ns9.example.org' }] });
    const sponsor = async () => (await t.gql(t.keys.TheRegistrar!, '{ domain(name: "newregistrar-seed.hdtest") { sponsor } }')).data.domain.sponsor;
    expect(await sponsor()).toBe('chn_theregistrar');
    await held(async () => {
      const del = await t.gql(A, 'mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { pending domain { lifecycleState statuses } } }', { k: k(), n: name });
      expect(del.data.deleteDomain).toEqual({ pending: true, domain: { lifecycleState: 'pending_cancel', statuses: ['pendingDelete'] } });
      expect((await read()).lifecycleState).toBe('pending_cancel');
    });
    expect((await read()).lifecycleState).toBe('cancelled');
  });

  it('runs the OT&E sequence through the gateway, writes the archive with its fingerprint, and again after sandboxReset', async () => {
    for (const round of [1, 2]) {
      const out = tmp(`ote-${round}-`);
      const lines: string[] = [];
      // Held: the name-server and cancellation steps meet the pending backend apply the service documents.
      const r = await held(() => runOte({ url: t.gateway.url, apiKey: A, registry: 'sandbox-headless', registrar: 'NewRegistrar', out, operator: { clientName: 'e2e client' }, pollWaitMs: 30_000, log: (l) => lines.push(l) }));
      expect({ ok: r.ok, reason: r.reason }).toEqual({ ok: true, reason: undefined });
      expect(lines).toHaveLength(13);
      expect(lines.at(-1)).toBe(`SHA-256 ${r.sha256}  ${r.md}`);
      const json = JSON.parse(readFileSync(r.json, 'utf8'));
      expect(json.steps.find((s: any) => s.name === 'nameservers').facts.backendApplyStatus).toBe('PENDING');
      expect(json.steps.find((s: any) => s.name === 'cancel').facts.lifecycleState).toBe('pending_cancel');
      const reconciled = json.steps.find((s: any) => s.name === 'poll').facts.reconciled;
      expect(reconciled.map((x: any) => x.step)).toEqual(['reset', 'create', 'renew', 'patch', 'transfer', 'nameservers', 'cancel']);
      for (const x of reconciled) expect([x.audit.idempotencyKey, x.audit.commandId, x.audit.channelId]).toEqual([x.idempotencyKey, x.commandLog.serverTransactionId, 'chn_newregistrar']);
      for (const f of readdirSync(out)) expect(readFileSync(join(out, f), 'utf8')).not.toContain(A);
      expect(readFileSync(r.md, 'utf8')).toContain('Evidence left empty');
      if (round === 1) {
        const reset = await t.gql(A, 'mutation($k: String!) { sandboxReset(idempotencyKey: $k, registry: "sandbox-headless") { fixtures { role domain } } }', { k: k() });
        expect(reset.errors).toBeUndefined();
      }
    }
    const epp = await t.gql(A, 'mutation($k: String!) { sandboxReset(idempotencyKey: $k, registry: "sandbox-epp") { registry } }', { k: k() });
    expect(epp.errors?.[0].extensions?.code).toBe('UNSUPPORTED_BY_BACKEND');
  });

  it('stops at the first step whose evidence does not hold, saying which and why', async () => {
    const lines: string[] = [];
    const r = await runOte({ url: t.gateway.url, apiKey: A, registry: 'sandbox-epp', registrar: 'NewRegistrar', out: tmp('ote-x-'), operator: {}, log: (l) => lines.push(l) });
    expect([r.ok, r.failedStep]).toEqual([false, '1 (status)']);
    expect(lines[0]).toBe('[ 1/12] status       FAILED: sandbox-epp reports no account status (not a HeadlessDomains registry?)');
    expect(lines).toHaveLength(2); // the failure, then the (failed) archive's fingerprint
    expect(JSON.parse(readFileSync(r.json, 'utf8'))).toMatchObject({ outcome: 'failed', failedStep: '1 (status)' });
  });
});
