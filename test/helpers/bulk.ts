import { randomUUID } from 'node:crypto';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { defaultConfig } from '../../src/config.js';
import type { BulkConfig, GatewayConfig } from '../../src/config.types.js';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from './gateway.js';
import { startGatewayProcesses, type GatewayProcesses } from './gateway-processes.js';
import { apiKeys, configFor, startSharedSandbox, type GatewayProcess, type GqlClient, type SharedSandbox } from './processes.js';

type Gql = Pick<GqlClient, 'gql'>;

export const BULK_RENEW = `mutation($k: String!, $domains: [BulkRenewItemInput!]!) {
  bulkRenew(idempotencyKey: $k, domains: $domains, period: { value: 1, unit: YEARS }) { replayed job { id kind state total counts { done failed pending running cancelled } } }
}`;
export const JOB_ITEMS = `query($id: ID!, $states: [BulkItemState!], $after: String, $first: Int!) {
  bulkJob(id: $id) { id state finishedAt counts { done failed pending running cancelled }
    items(first: $first, after: $after, states: $states) { edges { cursor node { position domainName state attempts expiresAt error { code message upstreamCode field } transaction { resultCode pending } } } pageInfo { hasNextPage endCursor } } }
}`;
export const JOB_SUBSCRIPTION = `subscription($id: ID!) { bulkJob(id: $id) { job { state counts { done failed pending running cancelled } } outcomes { position domainName state attempts error { code } } } }`;

/** Creates `n` domains named `<prefix>-<i>.<tld>` for the key's registrar; returns the names. */
export async function createDomains(gw: Gql, key: string, prefix: string, tld: string, n: number): Promise<string[]> {
  const names = Array.from({ length: n }, (_, i) => `${prefix}-${i}.${tld}`);
  for (const name of names) {
    const r = await gw.gql(key, `mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "Bulk-Pw-2026" }) { name } }`, { k: randomUUID(), n: name });
    if (r.errors) throw new Error(`createDomain ${name}: ${JSON.stringify(r.errors)}`);
  }
  return names;
}

/** Every event of a bulkJob subscription until it completes (or errors). */
export function followJob(wsUrl: string, key: string, id: string): Promise<{ events: any[]; errors: unknown[] }> {
  const client = createClient({ url: wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
  const events: any[] = [];
  const errors: unknown[] = [];
  return new Promise((resolve) => {
    client.subscribe(
      { query: JOB_SUBSCRIPTION, variables: { id } },
      {
        next: (r) => (r.errors ? errors.push(...r.errors) : events.push((r.data as any).bulkJob)),
        error: (e) => {
          errors.push(...(Array.isArray(e) ? e : [e]));
          void Promise.resolve(client.dispose()).then(() => resolve({ events, errors }));
        },
        complete: () => void Promise.resolve(client.dispose()).then(() => resolve({ events, errors })),
      },
    );
  });
}

/** Polls the job until it has finished (a state, not a time window: the test's own timeout bounds it). */
export async function waitFinished(gw: Gql, key: string, id: string): Promise<any> {
  for (;;) {
    const r = await gw.gql(key, JOB_ITEMS, { id, first: 1 });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    if (r.data.bulkJob.finishedAt) return r.data.bulkJob;
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Every item of a job, page by page. */
export async function allItems(gw: Gql, key: string, id: string, states?: string[]): Promise<any[]> {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const r: any = await gw.gql(key, JOB_ITEMS, { id, states, after, first: 1000 });
    if (r.errors) throw new Error(JSON.stringify(r.errors));
    const c = r.data.bulkJob.items;
    out.push(...c.edges.map((e: any) => e.node));
    if (!c.pageInfo.hasNextPage) return out;
    after = c.pageInfo.endCursor;
  }
}

/**
 * A test gateway whose bulk runner the test starts itself, once the items it needs are in place
 * (`bulk.enabled` false: the test calls `gateway.services.bulk.runner.start()`, as startGateway
 * does), with `bulk` as its other bulk settings and the poller off; with its Nomulus sandbox and
 * NewRegistrar's API key.
 */
export async function startGatewayRunnerStopped(bulk: BulkConfig): Promise<{ t: TestGateway; sandbox: EppSandbox; key: string }> {
  const t = await startTestGateway({
    configure: (c) => {
      c.bulk = { ...bulk, enabled: false };
      c.poll = { ...c.poll, enabled: false };
    },
  });
  return { t, sandbox: t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox, key: t.keys['NewRegistrar']! };
}

/**
 * The config of gateway processes sharing jobs against `shared` (test/e2e/bulk-processes.test.ts,
 * bulk-worker.test.ts): short leases, so that a killed process's items and idempotency records are
 * found abandoned quickly (1.5 s), two items at once, a quick idle look; no per-key rate limit, no poller.
 */
export function sharedJobsConfig(shared: SharedSandbox): GatewayConfig {
  return configFor([shared], {
    idempotency: { leaseMs: 1_500, waitMs: 15_000 },
    bulk: { concurrency: 2, leaseMs: 1_500, backoffMs: 100, idleMs: 100 },
    limits: { ...defaultConfig().limits, rateLimit: false },
    poll: { ...defaultConfig().poll, enabled: false },
  });
}

/** An API instance whose own runner is off, on the processes' PostgreSQL, in front of a shared Nomulus sandbox: workers spawned beside it run its jobs. */
export interface ApiBesideWorkers {
  procs: GatewayProcesses;
  shared: SharedSandbox;
  /** sharedJobsConfig(shared): what the API instance and its workers run with. */
  config: GatewayConfig;
  /** The API instance (BULK_ENABLED=false, identity 'api'). */
  api: GatewayProcess;
  /** NewRegistrar's API key. */
  key: string;
  /**
   * Creates `n` domains named from `prefix` and submits their bulkRenew to the API instance, each
   * renewal applied at once by the sandbox and answered 150 ms later (so that a worker killed
   * meanwhile leaves renewals applied whose answers never reached the database). Returns the
   * names, each one's expiry year before, the sandbox's renewal count before, and the job's id.
   */
  submitSlowRenewals(prefix: string, n: number): Promise<{ names: string[]; before: Map<string, number>; renewsBefore: number; id: string }>;
  /** Stops every process, drops the database, stops the sandbox. */
  close(): Promise<void>;
}

/** Starts ApiBesideWorkers (startGatewayProcesses(prefix): PostgreSQL only). */
export async function startApiBesideWorkers(prefix: string): Promise<ApiBesideWorkers> {
  const procs = await startGatewayProcesses(prefix);
  const shared = await startSharedSandbox({ name: 'sandbox-nomulus', profile: 'nomulus' });
  const close = async () => {
    await procs.close();
    await shared.stop();
  };
  try {
    const config = sharedJobsConfig(shared);
    // The API instance runs no bulk items of its own: whatever runs, a worker ran.
    const api = await procs.spawn({ config, instanceId: 'api', env: { BULK_ENABLED: 'false' } });
    const key = (await apiKeys(procs.db.prisma, config)).NewRegistrar!;
    const submitSlowRenewals = async (prefix: string, n: number) => {
      const names = await createDomains(api, key, `${prefix}${Date.now().toString(36)}`, 'tld', n);
      const before = new Map(names.map((name) => [name, shared.sandbox.domain(name)!.expiresAt.getUTCFullYear()]));
      for (let i = 0; i < n; i++) shared.sandbox.faults.next({ command: 'domain:renew', action: 'delay', delayMs: 150 });
      const renewsBefore = shared.sandbox.applied('domain:renew');
      const submitted = await api.gql(key, BULK_RENEW, { k: randomUUID(), domains: names.map((name) => ({ name })) });
      if (submitted.errors) throw new Error(`bulkRenew refused: ${JSON.stringify(submitted.errors).slice(0, 500)}`);
      return { names, before, renewsBefore, id: submitted.data.bulkRenew.job.id as string };
    };
    return { procs, shared, config, api, key, submitSlowRenewals, close };
  } catch (e) {
    await close();
    throw e;
  }
}
