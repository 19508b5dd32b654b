/**
 * The HeadlessDomains OT&E test sequence (shared/upstream/000_1527c6e3181c1cc7.txt, "Required
 * Test Sequence" 1-11; step 12 is the archive, see archive.ts), run through the gateway's own
 * GraphQL API. Each mutating step is sent twice with the same idempotency key: the retry must be
 * answered from the idempotency record (`replayed: true`) with the same upstream transaction.
 * A step throws StepFailed with the reason when its evidence does not hold.
 */
import type { Exchange, GatewayClient } from './client.js';

/** A step's evidence does not hold: the run stops there and the message is the reason the archive and the progress line give. */
export class StepFailed extends Error {}

/** What one step leaves in the archive. */
export interface StepRecord {
  n: number;
  name: string;
  title: string;
  ok: boolean;
  reason?: string;
  idempotencyKey?: string;
  first?: Exchange;
  retry?: Exchange;
  /** The registry's command id (the answer's serverTransactionId). */
  commandId?: string | null;
  exchanges: Exchange[];
  facts: Record<string, unknown>;
  /** A few words for the progress line. */
  summary?: string;
}

/** What the steps share during a run: the client, the backend and registrar under test, the sandbox fixtures, and each mutating step's idempotency key and registry command id (for step 11). */
export interface RunState {
  gql: GatewayClient;
  registry: string;
  registrar: string;
  runId: string;
  status?: { channelId: string; auditChannelId: string; raw: string };
  fixtures: Record<string, string>;
  transferAuthInfo?: string | null;
  /** Mutating steps: key -> registry command id. */
  commands: { step: string; key: string; commandId: string | null }[];
  pollWaitMs: number;
}

/** One step of the document's "Required Test Sequence": its name, title, and run, which fills the record and throws StepFailed. */
export interface Step {
  name: string;
  title: string;
  run(s: RunState, r: StepRecord): Promise<void>;
}

const DOMAIN = 'name sponsor statuses expiresAt lifecycleState nameserverApplyStatus backendApplyStatus nameservers { name } appliedNameservers { name } registrantInfo { name email organization }';
const TX = 'transaction { clientTransactionId serverTransactionId resultCode message } replayed';

function check(cond: unknown, reason: string): asserts cond {
  if (!cond) throw new StepFailed(reason);
}

/** Sends a mutation twice with one key; checks the retry was replayed with the same transaction. */
async function twice(s: RunState, r: StepRecord, field: string, query: string, vars: Record<string, unknown>): Promise<any> {
  const key = `ote-${s.runId}-${String(r.n).padStart(2, '0')}-${r.name}`;
  r.idempotencyKey = key;
  const a = await s.gql.send<any>(query, { ...vars, k: key });
  r.first = a.exchange;
  check(!a.errors && a.data, `first attempt failed: ${a.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ').slice(0, 200)}`);
  const b = await s.gql.send<any>(query, { ...vars, k: key });
  r.retry = b.exchange;
  check(!b.errors && b.data, `retry failed: ${b.errors?.map((e) => `${e.extensions?.code ?? ''} ${e.message}`).join('; ').slice(0, 200)}`);
  const [p, q] = [a.data[field], b.data[field]];
  check(p.replayed === false && q.replayed === true, 'the retry was not answered from the idempotency record (replayed)');
  check(JSON.stringify(p.transaction) === JSON.stringify(q.transaction), 'the retry answered another upstream transaction');
  r.commandId = p.transaction.serverTransactionId ?? null;
  s.commands.push({ step: r.name, key, commandId: r.commandId ?? null });
  r.facts.httpStatuses = [a.exchange.httpStatus, b.exchange.httpStatus];
  return p;
}

async function read(s: RunState, r: StepRecord, name: string): Promise<any> {
  const { data, exchange } = await s.gql.run(`query($n: String!) { domain(name: $n) { ${DOMAIN} } }`, { n: name });
  r.exchanges.push(exchange);
  check(data.domain, `${name} cannot be read`);
  return data.domain;
}

function fixture(s: RunState, role: string): string {
  const d = s.fixtures[role];
  check(d, `the sandbox reset named no ${role} fixture`);
  return d;
}

/** Steps 1-10 and 12 of the HeadlessDomains OT&E document's "Required Test Sequence" in order (step 11 is RECONCILE, src/ote/reconcile.ts). */
export const STEPS: Step[] = [
  {
    name: 'status',
    title: 'GET /status archived before any mutating command',
    async run(s, r) {
      const { data, exchange } = await s.gql.run(
        '{ viewer { id accounts { registry kind upstreamId status { channelId channelName channelApproved namespaces { tld status } productionApproved environment keyProfile scopes rateLimit { limit remaining windowSeconds resetAt } commands contract { name value } auditChannelId raw } } } }',
      );
      r.exchanges.push(exchange);
      check(data.viewer.id === s.registrar, `the API key belongs to registrar ${data.viewer.id}, not ${s.registrar}`);
      const acc = data.viewer.accounts.find((a: any) => a.registry === s.registry);
      check(acc, `registrar ${s.registrar} has no account on ${s.registry}`);
      check(acc.status, `${s.registry} reports no account status (not a HeadlessDomains registry?)`);
      check(acc.status.channelApproved, 'the registrar channel is not approved');
      check(acc.status.auditChannelId, 'GET /status has no audit_provenance.registrar_channel_id');
      s.status = { channelId: acc.status.channelId, auditChannelId: acc.status.auditChannelId, raw: acc.status.raw };
      r.summary = `channel ${acc.status.channelId}, ${acc.status.commands.length} commands, production ${acc.status.productionApproved ? 'approved' : 'not approved'}`;
      Object.assign(r.facts, { channelId: acc.status.channelId, auditChannelId: acc.status.auditChannelId, namespaces: acc.status.namespaces, productionApproved: acc.status.productionApproved, commands: acc.status.commands, rateLimit: acc.status.rateLimit, statusResponse: JSON.parse(acc.status.raw) });
    },
  },
  {
    name: 'reset',
    title: 'POST /sandbox/reset',
    async run(s, r) {
      const p = await twice(s, r, 'sandboxReset', `mutation($k: String!, $reg: String!) { sandboxReset(idempotencyKey: $k, registry: $reg) { registry resetAt fixtures { role domain } transferAuthInfo ${TX} } }`, { reg: s.registry });
      for (const f of p.fixtures) s.fixtures[f.role] = f.domain;
      s.transferAuthInfo = p.transferAuthInfo;
      r.facts.fixtures = p.fixtures;
    },
  },
  {
    name: 'check',
    title: 'availability check of a known available name',
    async run(s, r) {
      const name = fixture(s, 'available');
      const { data, exchange } = await s.gql.run('query($n: [String!]!) { checkDomains(names: $n) { name available reason } }', { n: [name] });
      r.exchanges.push(exchange);
      check(data.checkDomains[0]?.available === true, `${name} is not available`);
      r.facts.checked = data.checkDomains[0];
      r.summary = `${name} available`;
    },
  },
  {
    name: 'create',
    title: 'create a test registration, retried with the same idempotency key',
    async run(s, r) {
      const name = fixture(s, 'available');
      const input = { name, period: { value: 1, unit: 'YEARS' }, authInfo: `Ote-${s.runId}-1`, registrantInfo: { name: 'OT&E Registrant', email: 'ote@example.net' }, nameservers: [{ name: 'ns1.example.net' }] };
      const p = await twice(s, r, 'createDomain', `mutation($k: String!, $input: CreateDomainInput!) { createDomain(idempotencyKey: $k, input: $input) { name ${TX} } }`, { input });
      check(p.name === name, 'created another name');
    },
  },
  {
    name: 'read',
    title: 'read the created registration and the fixture registrations',
    async run(s, r) {
      const names = [fixture(s, 'available'), ...['renewal', 'update', 'transfer', 'nameservers', 'delete'].map((f) => fixture(s, f))];
      const read_ = [];
      for (const n of names) read_.push(await read(s, r, n));
      r.facts.registrations = read_.map((d) => ({ name: d.name, sponsor: d.sponsor, lifecycleState: d.lifecycleState, statuses: d.statuses }));
    },
  },
  {
    name: 'renew',
    title: 'renew the renewal fixture and confirm retry safety',
    async run(s, r) {
      const name = fixture(s, 'renewal');
      const before = (await read(s, r, name)).expiresAt;
      const p = await twice(s, r, 'renewDomain', `mutation($k: String!, $input: RenewDomainInput!) { renewDomain(idempotencyKey: $k, input: $input) { expiresAt ${TX} } }`, { input: { name, currentExpiry: before, period: { value: 1, unit: 'YEARS' } } });
      const after = (await read(s, r, name)).expiresAt;
      check(after === p.expiresAt && after !== before, 'the expiry did not move exactly once');
      Object.assign(r.facts, { before, after });
    },
  },
  {
    name: 'patch',
    title: 'patch registrant metadata on the update fixture',
    async run(s, r) {
      const name = fixture(s, 'update');
      const registrantInfo = { name: `OT&E ${s.runId}`, organization: 'OT&E Registrar QA' };
      await twice(s, r, 'updateDomain', `mutation($k: String!, $input: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $input) { name ${TX} } }`, { input: { name, registrantInfo } });
      const d = await read(s, r, name);
      check(d.registrantInfo?.name === registrantInfo.name, 'the registrant metadata did not change');
      r.facts.registrantInfo = d.registrantInfo;
    },
  },
  {
    name: 'transfer',
    title: 'record transfer intent on the transfer fixture and confirm retry safety',
    async run(s, r) {
      const name = fixture(s, 'transfer');
      check(s.transferAuthInfo, 'the sandbox reset gave no auth info for the transfer fixture');
      const p = await twice(s, r, 'requestTransfer', `mutation($k: String!, $n: String!, $a: String!) { requestTransfer(idempotencyKey: $k, domainName: $n, authInfo: $a) { transfer { status gainingRegistrar losingRegistrar requestedAt } ${TX} } }`, { n: name, a: s.transferAuthInfo });
      r.facts.transfer = p.transfer;
    },
  },
  {
    name: 'nameservers',
    title: 'set name servers on the name-server fixture; backend_apply_status visible',
    async run(s, r) {
      const name = fixture(s, 'nameservers');
      const before = await read(s, r, name);
      const remove = before.nameservers.map((n: any) => ({ name: n.name }));
      const add = [{ name: 'ns1.ote.example.org' }, { name: 'ns2.ote.example.org' }];
      await twice(s, r, 'updateDomain', `mutation($k: String!, $input: UpdateDomainInput!) { updateDomain(idempotencyKey: $k, input: $input) { name ${TX} } }`, { input: { name, add: { nameservers: add }, remove: { nameservers: remove } } });
      const d = await read(s, r, name);
      check(d.nameserverApplyStatus, 'no backend apply status on the domain');
      check(d.nameservers.map((n: any) => n.name).sort().join() === add.map((n) => n.name).join(), 'the desired name servers are not the ones set');
      Object.assign(r.facts, { desired: d.nameservers.map((n: any) => n.name), applied: d.appliedNameservers?.map((n: any) => n.name), backendApplyStatus: d.nameserverApplyStatus });
      r.summary = `backend apply ${String(d.nameserverApplyStatus).toLowerCase()}`;
    },
  },
  {
    name: 'cancel',
    title: 'cancel the delete fixture and confirm retry safety',
    async run(s, r) {
      const name = fixture(s, 'delete');
      await twice(s, r, 'deleteDomain', `mutation($k: String!, $n: String!) { deleteDomain(idempotencyKey: $k, name: $n) { name pending ${TX} } }`, { n: name });
      const d = await read(s, r, name);
      check(['pending_cancel', 'cancelled'].includes(d.lifecycleState), `lifecycle state after cancel is ${d.lifecycleState}`);
      r.facts.lifecycleState = d.lifecycleState;
    },
  },
];
