/**
 * Reads that fan out answer at every size the API accepts (issue 10, items 1 and 2), counted in
 * upstream commands from the command log, never timed: a 1,000-name checkDomains is 20 check
 * commands at EPP's limit of 50; a refused command marks only its own names; 200 domains sharing
 * 10 contacts cost 10 contact reads; splitting refused commands is bounded per request
 * (limits.checkSplitCommands); and while one request fans out, another client of the same
 * registrar waits behind at most the request's budget of commands, not behind all of them; a query
 * sent while a bulk job's items wait for the sessions goes before them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../src/auth/api-keys.js';
import type { EppDriver } from '../../src/backends/epp/epp-driver.js';
import type { PortableBackend } from '../../src/backends/portable.js';
import type { EppBackendConfig } from '../../src/config.types.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startLatencyProxy, type LatencyProxy } from '../../src/sandbox/latency-proxy.js';
import { BULK_RENEW, waitFinished } from '../helpers/bulk.js';
import { keepBackends, startTestGateway, type TestGateway } from '../helpers/gateway.js';
import { seriesValue } from '../helpers/metrics.js';

let t: TestGateway;
let proxy: LatencyProxy;
const run = randomUUID().slice(0, 6);

beforeAll(async () => {
  t = await startTestGateway({
    configure: (c) => {
      c.poll.enabled = false;
      // EPP only: the other sandboxes' seeded domains would share the domains page.
      keepBackends(c, ['epp']);
      // Above the .tld registry's own limit (Nomulus: 50), so that its check commands of more than 50 are refused.
      (c.backends.find((b) => b.name === 'sandbox-nomulus') as EppBackendConfig).checkLimit = 60;
      // A zone routed to the .example registry that it does not have: it refuses a whole check naming a name under it (2005).
      c.routes.push({ suffix: 'co.example', backend: 'sandbox-epp' });
    },
  });
  // The registry does not serve the zone the gateway routes to it (a sandbox serves every suffix routed to it: take it back).
  const served = (t.gateway.sandboxes.sandboxes.get('sandbox-epp') as unknown as { store: { cfg: { tlds: string[] } } }).store.cfg.tlds;
  served.splice(served.indexOf('co.example'), 1);
  // The .example registry is reached through a proxy that can hold its answers back.
  const cfg = t.gateway.services.config.backends.find((b) => b.name === 'sandbox-epp') as EppBackendConfig;
  proxy = await startLatencyProxy({ host: cfg.host, port: cfg.port });
  cfg.host = proxy.host;
  cfg.port = proxy.port;
});
afterAll(async () => {
  await t?.close();
  await proxy?.close();
});

const CHECK = 'query($names: [String!]!) { checkDomains(names: $names) { name available registry } }';

/** Command log rows since `since` (row id), oldest first. */
async function logged(since: bigint) {
  await t.gateway.commandLog.flush();
  return t.gateway.services.prisma.commandLog.findMany({ where: { id: { gt: since } }, orderBy: { id: 'asc' } });
}
async function lastId(): Promise<bigint> {
  await t.gateway.commandLog.flush();
  return (await t.gateway.services.prisma.commandLog.findFirst({ orderBy: { id: 'desc' }, select: { id: true } }))?.id ?? 0n;
}
const count = (rows: { command: string; backend: string }[], command: string, backend?: string) =>
  rows.filter((r) => r.command === command && (!backend || r.backend === backend)).length;

async function until(cond: () => boolean | Promise<boolean>): Promise<void> {
  while (!(await cond())) await new Promise((r) => setTimeout(r, 10));
}

describe('checkDomains', () => {
  it('answers 1,000 names in full with 20 check commands at a limit of 50', async () => {
    const since = await lastId();
    const names = Array.from({ length: 1000 }, (_, i) => `fan-${run}-${i}.example`);
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains).toHaveLength(1000);
    expect(r.data.checkDomains.map((c: { name: string }) => c.name)).toEqual(names);
    expect(r.data.checkDomains.every((c: { available: boolean; registry: string }) => c.available === true && c.registry === 'sandbox-epp')).toBe(true);
    const rows = await logged(since);
    expect(count(rows, 'domain:check', 'sandbox-epp')).toBe(20);
    expect(rows.every((row) => row.objectName!.split(',').length <= 50)).toBe(true);
  });

  it('one name the registry refuses among 60: the other 59 answer, only it carries the error, in at most 2 + 2*ceil(log2 50) = 14 commands', async () => {
    const since = await lastId();
    const names = Array.from({ length: 60 }, (_, i) => (i === 37 ? `bad-${run}.co.example` : `bis-${run}-${i}.example`));
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    expect(r.data.checkDomains).toHaveLength(60);
    names.forEach((name, i) => {
      if (i !== 37) expect(r.data.checkDomains[i]).toEqual({ name, available: true, registry: 'sandbox-epp' });
    });
    expect(r.data.checkDomains[37]).toBeNull();
    expect(r.errors).toHaveLength(1);
    expect(r.errors![0]!.path).toEqual(['checkDomains', 37]);
    expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED_INPUT', upstreamCode: 2005 });
    // Commands of 50 and 10 names; the refused one split in halves down to the bad name (6 levels, 2 commands each at most).
    const checks = (await logged(since)).filter((row) => row.command === 'domain:check');
    expect(checks.length).toBeGreaterThan(2);
    expect(checks.length).toBeLessThanOrEqual(14);
    expect(checks.filter((row) => row.objectName === `bad-${run}.co.example`)).toHaveLength(1);
  });

  it('a registry refusing every check command as a whole: 200 names cost at most 4 + 4 x 12 commands (limits.checkSplitCommands), every name null with the refusal', async () => {
    const since = await lastId();
    const names = Array.from({ length: 200 }, (_, i) => `all-${run}-${i}.co.example`);
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    // Each name null with an error; the answer lists 50 at most (limits.maxErrors), the last saying how many more.
    expect(r.data.checkDomains).toEqual(names.map(() => null));
    const errors = r.errors!;
    const shown = errors.filter((e) => e.extensions!.code !== 'TOO_MANY_ERRORS');
    const omitted = errors.find((e) => e.extensions!.code === 'TOO_MANY_ERRORS')?.extensions!.omitted as number;
    expect(shown.length + omitted).toBe(200);
    // 4 commands of 50, split without a bound: 4 x 99 = 396.
    const checks = count(await logged(since), 'domain:check', 'sandbox-epp');
    expect(checks).toBeGreaterThan(4);
    expect(checks).toBeLessThanOrEqual(4 + 48);
    for (const e of shown) expect(e.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED_INPUT', upstreamCode: 2005 });
    // The names not told apart when the pool of 4 x 12 split commands ran out say so.
    expect(shown.some((e) => e.extensions!.limit === 'limits.checkSplitCommands' && e.extensions!.max === 48)).toBe(true);
  });

  it('a registry refusing every check command as a whole: 50 names in one command cost at most 1 + 4 x 12 commands, not 99', async () => {
    const since = await lastId();
    const names = Array.from({ length: 50 }, (_, i) => `one-${run}-${i}.co.example`);
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    expect(r.data.checkDomains).toEqual(names.map(() => null));
    const checks = count(await logged(since), 'domain:check', 'sandbox-epp');
    expect(checks).toBeGreaterThan(1);
    expect(checks).toBeLessThanOrEqual(1 + 48);
  });

  it('three names the registry refuses in one command of 150 names: the pool of 4 x 12 split commands narrows all three down, the 147 others answer', async () => {
    const since = await lastId();
    const bad = new Set([5, 20, 44]);
    const names = Array.from({ length: 150 }, (_, i) => (bad.has(i) ? `bad${i}-${run}.co.example` : `pool-${run}-${i}.example`));
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    names.forEach((name, i) => {
      if (bad.has(i)) expect(r.data.checkDomains[i]).toBeNull();
      else expect(r.data.checkDomains[i]).toEqual({ name, available: true, registry: 'sandbox-epp' });
    });
    expect(r.errors!.map((e) => e.path)).toEqual([...bad].map((i) => ['checkDomains', i]));
    for (const e of r.errors!) {
      expect(e.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED_INPUT', upstreamCode: 2005 });
      expect(e.extensions!.limit).toBeUndefined();
    }
    expect(count(await logged(since), 'domain:check', 'sandbox-epp')).toBeLessThanOrEqual(3 + 2 * 3 * 6);
  });

  it('limits.checkSplitCommands 0: a refused command is not split, its names carry the refusal with the limit; the other command answers', async () => {
    const limits = t.gateway.services.config.limits;
    limits.checkSplitCommands = 0;
    try {
      const since = await lastId();
      const names = Array.from({ length: 60 }, (_, i) => (i === 7 ? `bad-${run}-nosplit.co.example` : `nosplit-${run}-${i}.example`));
      const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
      names.forEach((name, i) => {
        if (i < 50) expect(r.data.checkDomains[i]).toBeNull();
        else expect(r.data.checkDomains[i]).toEqual({ name, available: true, registry: 'sandbox-epp' });
      });
      expect(r.errors![0]!.extensions).toMatchObject({ code: 'UPSTREAM_REJECTED_INPUT', upstreamCode: 2005, limit: 'limits.checkSplitCommands', max: 0 });
      expect(count(await logged(since), 'domain:check', 'sandbox-epp')).toBe(2);
    } finally {
      delete limits.checkSplitCommands;
    }
  });

  it('a name more than one label below its zone is not available and not sent; the name beside it answers', async () => {
    const since = await lastId();
    const r = await t.gql(t.keys.NewRegistrar!, 'query($names: [String!]!) { checkDomains(names: $names) { name available reason registry } }', {
      names: [`sub.deep-${run}.example`, `free-${run}.example`],
    });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains[0]).toMatchObject({ name: `sub.deep-${run}.example`, available: false, registry: 'sandbox-epp' });
    expect(r.data.checkDomains[0].reason).toMatch(/^not registrable: /);
    expect(r.data.checkDomains[1]).toEqual({ name: `free-${run}.example`, available: true, reason: null, registry: 'sandbox-epp' });
    const checks = (await logged(since)).filter((row) => row.command === 'domain:check');
    expect(checks.map((row) => row.objectName)).toEqual([`free-${run}.example`]);
  });

  it('a transient failure (2400) is not split: the command\'s names carry it, one command sent', async () => {
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox;
    const since = await lastId();
    sandbox.faults.next({ command: 'domain:check', action: 'server-error' });
    const names = Array.from({ length: 3 }, (_, i) => `down-${run}-${i}.example`);
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    expect(r.data.checkDomains).toEqual([null, null, null]);
    expect(r.errors!.map((e) => e.extensions!.code)).toEqual(['UPSTREAM_FAILURE', 'UPSTREAM_FAILURE', 'UPSTREAM_FAILURE']);
    expect(count(await logged(since), 'domain:check', 'sandbox-epp')).toBe(1);
  });

  it('a command refused for its size (Nomulus: 2306 above 50) is split: 61 .tld names at a limit of 60 all answer, in 4 commands', async () => {
    const since = await lastId();
    const names = Array.from({ length: 61 }, (_, i) => `split-${run}-${i}.tld`);
    const r = await t.gql(t.keys.NewRegistrar!, CHECK, { names });
    expect(r.errors).toBeUndefined();
    expect(r.data.checkDomains).toEqual(names.map((name) => ({ name, available: true, registry: 'sandbox-nomulus' })));
    // 60 (refused), its halves of 30 and 30, and the command of 1.
    expect(count(await logged(since), 'domain:check', 'sandbox-nomulus')).toBe(4);
  });
});

describe('loaders', () => {
  it('domains(first: 500) over 200 domains sharing 10 contacts, with registrant, contacts and name servers: 200 domain infos and 10 contact infos', async () => {
    const A = t.keys.NewRegistrar!;
    const contacts = Array.from({ length: 10 }, (_, i) => `f${run}c${i}`);
    const postal = [{ type: 'int', name: 'Fan Out', street: ['1 Main St'], city: 'Dulles', cc: 'US' }];
    const made = await t.gql(A, `mutation { ${contacts.map((id, i) => `c${i}: createContact(idempotencyKey: "${id}", input: { id: "${id}", email: "${id}@example.net", authInfo: "C0ntact-Pw", postalInfo: [{ type: \"int\", name: "${postal[0]!.name}", street: ["1 Main St"], city: "Dulles", cc: "US" }] }) { id }`).join(' ')} }`);
    expect(made.errors, JSON.stringify(made.errors)).toBeUndefined();
    const domain = (i: number) => `shared-${run}-${i}.example`;
    // 50 creates per request (limits.maxAliases), their inputs as variables (limits.maxTokens).
    const createMany = (from: number) => {
      const ids = Array.from({ length: 50 }, (_, j) => from + j);
      const c = (i: number, k: number) => contacts[(i + k) % 10];
      const variables = Object.fromEntries(
        ids.map((i) => [`i${i}`, { name: domain(i), authInfo: 'Sh4red-Pw', registrant: c(i, 0), contacts: [{ role: 'ADMIN', id: c(i, 1) }, { role: 'TECH', id: c(i, 2) }] }]),
      );
      const defs = ids.map((i) => `$i${i}: CreateDomainInput!`).join(', ');
      const fields = ids.map((i) => `d${i}: createDomain(idempotencyKey: "${run}-${i}", input: $i${i}) { name }`).join(' ');
      return t.gql(A, `mutation(${defs}) { ${fields} }`, variables);
    };
    const batches = await Promise.all([0, 50, 100, 150].map(createMany));
    for (const b of batches) expect(b.errors, JSON.stringify(b.errors?.[0])).toBeUndefined();

    const since = await lastId();
    // The largest page the API offers, with every nested read (cost 50,005, within limits.maxCost).
    const r = await t.gql(A, `{ domains(first: 500) { edges { node { name registrant { id email } contacts { role contact { id email } } nameservers { name ipv4 ipv6 } } } } }`);
    expect(r.errors).toBeUndefined();
    expect(r.data.domains.edges).toHaveLength(200);
    const first = r.data.domains.edges.find((e: { node: { name: string } }) => e.node.name === domain(0)).node;
    expect(first.registrant).toEqual({ id: contacts[0], email: `${contacts[0]}@example.net` });
    expect(first.contacts.map((c: { contact: { id: string } }) => c.contact.id).sort()).toEqual([contacts[1], contacts[2]]);
    const rows = await logged(since);
    expect(count(rows, 'domain:info')).toBe(200);
    expect(count(rows, 'contact:info')).toBe(10);
    expect(rows.every((row) => row.resultCode === 1000)).toBe(true);
  }, 180_000);
});

describe('fairness', () => {
  it('another client of the same registrar waits behind at most the budget of a request that fans out, not behind all of it', async () => {
    const epp = t.gateway.services.router.named('sandbox-epp') as PortableBackend;
    const driver = epp.driver as EppDriver;
    const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-epp') as EppSandbox;
    const second = (await createApiKey(t.gateway.services.prisma, 'NewRegistrar', 'second client')).key;
    // Both sessions open (a check of two commands), then the registry's answers are held back.
    await t.gql(t.keys.NewRegistrar!, CHECK, { names: Array.from({ length: 100 }, (_, i) => `warm-${run}-${i}.example`) });
    const since = await lastId();
    const checksBefore = sandbox.applied('domain:check');
    proxy.hold();
    const names = Array.from({ length: 1000 }, (_, i) => `busy-${run}-${i}.example`);
    const big = t.gql(t.keys.NewRegistrar!, CHECK, { names });
    await until(() => sandbox.applied('domain:check') === checksBefore + 2); // its first two commands, one per session
    const small = t.gql(second, `{ domain(name: "other-${run}.example") { name } }`);
    await until(() => driver.queued('NewRegistrar') === 1);
    // The pool's queue holds the second client's one command, not the 18 the big request still has.
    expect(driver.queued('NewRegistrar')).toBe(1);
    proxy.release();
    const [a, b] = await Promise.all([big, small]);
    expect(b.errors).toBeUndefined();
    expect(b.data.domain).toBeNull();
    expect(a.errors).toBeUndefined();
    expect(a.data.checkDomains).toHaveLength(1000);

    // Commands in the order they were sent (the clTRID's counter): the info went third.
    const rows = await logged(since);
    const seq = (clTRID: string) => parseInt(clTRID.split('-').at(-1)!, 36);
    const info = rows.find((row) => row.command === 'domain:info' && row.objectName === `other-${run}.example`)!;
    const checks = rows.filter((row) => row.command === 'domain:check' && row.objectName!.startsWith(`busy-${run}-`));
    expect(checks).toHaveLength(20);
    expect(checks.filter((c) => seq(c.clientTrid) < seq(info.clientTrid!)).length).toBe(2);
  });

  it("a query sent while a bulk job's items wait for the sessions goes before them: behind the commands under way, not behind the job", async () => {
    const epp = t.gateway.services.router.named('sandbox-epp') as PortableBackend;
    const driver = epp.driver as EppDriver;
    const A = t.keys.NewRegistrar!;
    // The .example registry wants a registrant: one contact, then 24 domains in one request.
    const contact = `p${run}`;
    const made = await t.gql(A, `mutation { createContact(idempotencyKey: "${contact}", input: { id: "${contact}", email: "${contact}@example.net", authInfo: "C0ntact-Pw", postalInfo: [{ type: "int", name: "Prio", street: ["1 Main St"], city: "Dulles", cc: "US" }] }) { id } }`);
    expect(made.errors).toBeUndefined();
    const names = Array.from({ length: 24 }, (_, i) => `prio-${run}-${i}.example`);
    const created = await t.gql(A, `mutation { ${names.map((n, i) => `d${i}: createDomain(idempotencyKey: "prio-${run}-${i}", input: { name: "${n}", authInfo: "Pr1o-Pw", registrant: "${contact}", contacts: [{ role: ADMIN, id: "${contact}" }, { role: TECH, id: "${contact}" }] }) { name }`).join(' ')} }`);
    expect(created.errors, JSON.stringify(created.errors?.[0])).toBeUndefined();
    // Both sessions open (a check of two commands), then the registry's answers are held back.
    await t.gql(A, CHECK, { names: Array.from({ length: 100 }, (_, i) => `prio-warm-${run}-${i}.example`) });
    const since = await lastId();
    proxy.hold();
    const submitted = await t.gql(A, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
    expect(submitted.errors).toBeUndefined();
    // The runner's 16 items (bulk.concurrency): one command at the registry per session, one more
    // per session handed ahead, 12 in the pool's queue (the state the held answers keep; the test's timeout bounds the wait).
    await until(() => driver.queued('NewRegistrar') === 14);
    const query = t.gql(A, `{ domain(name: "${names[23]}") { name } }`);
    await until(() => driver.queued('NewRegistrar') === 15);
    // What an operator sees meanwhile: 12 of the job's commands and the query's waiting for the sessions.
    const metrics = await (await fetch(t.gateway.url.replace(/graphql$/, 'metrics'))).text();
    expect(seriesValue(metrics, 'rgw_upstream_waiting', { backend: 'sandbox-epp', class: 'background' })).toBe(12);
    expect(seriesValue(metrics, 'rgw_upstream_waiting', { backend: 'sandbox-epp', class: 'interactive' })).toBe(1);
    proxy.release();
    const answered = await query;
    expect(answered.errors).toBeUndefined();
    expect(answered.data.domain.name).toBe(names[23]);
    const done = await waitFinished(t, A, submitted.data.bulkRenew.job.id);
    expect(done.counts).toEqual({ done: 24, failed: 0, pending: 0, running: 0, cancelled: 0 });

    // The registry's order (its server transaction ids count up as it answers): the query's info
    // came after the two commands under way, the two handed ahead, and at most one the other session
    // took meanwhile; first come, first served it came after all 16 of the job's.
    const rows = await logged(since);
    const seq = (svTRID: string) => Number(svTRID.split('-').at(-1));
    const info = rows.find((row) => row.operation === 'domain' && row.command === 'domain:info')!;
    const job = rows.filter((row) => row.operation === 'bulkRenew');
    expect(job.filter((row) => row.command === 'domain:renew')).toHaveLength(24);
    expect(job.filter((row) => seq(row.serverTrid!) < seq(info.serverTrid!)).length).toBeLessThanOrEqual(5);
  }, 120_000);
});
