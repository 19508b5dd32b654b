/**
 * Every string an operation can carry, in every argument of every query, mutation, subscription
 * and field with arguments, found by walking the gateway's own schema (so a new argument is
 * covered the day it is added): with U+0000, a lone surrogate or an over-long value it is refused
 * with BAD_USER_INPUT naming its path and a short message, and nothing is sent upstream or written.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  getNullableType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { buildGatewaySchema } from '../../schema/build.js';
import { MAX_ARGUMENT_CHARS } from '../../src/validation/text.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

/** A value of `type` the schema accepts, with `bad` at the string leaf `target` (a path below `path`). */
function sample(type: GraphQLInputType, path: string, target: string, bad: string): unknown {
  if (isNonNullType(type)) return sample(type.ofType, path, target, bad);
  if (isListType(type)) return [sample(type.ofType, `${path}[0]`, target, bad)];
  if (isInputObjectType(type)) {
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      const p = `${path}.${f.name}`;
      if (isNonNullType(f.type) && f.defaultValue === undefined) out[f.name] = sample(f.type, p, target, bad);
      else if (target.startsWith(p)) out[f.name] = sample(f.type, p, target, bad);
    }
    return out;
  }
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (path === target) return bad;
  switch (type.name) {
    case 'Int':
      return 1;
    case 'Boolean':
      return false;
    case 'DateTimeISO':
      return '2026-01-01T00:00:00Z';
    default:
      return 'x';
  }
}

/** Paths of every String/ID leaf of an argument (lists at index 0). */
function stringLeaves(type: GraphQLInputType, path: string, depth = 0): string[] {
  const t = getNullableType(type) as GraphQLInputType;
  if (isListType(t)) return stringLeaves(t.ofType, `${path}[0]`, depth);
  if (isInputObjectType(t)) return depth > 4 ? [] : Object.values(t.getFields()).flatMap((f) => stringLeaves(f.type, `${path}.${f.name}`, depth + 1));
  return isScalarType(t) && (t.name === 'String' || t.name === 'ID') ? [path] : [];
}

interface Case {
  operation: 'query' | 'mutation' | 'subscription';
  parent: string | null;
  field: GraphQLField<unknown, unknown>;
  target: string;
}

function casesOf(schema: GraphQLSchema, parents: Record<string, string>): Case[] {
  const roots = { query: schema.getQueryType(), mutation: schema.getMutationType(), subscription: schema.getSubscriptionType() };
  const cases: Case[] = [];
  for (const [operation, type] of Object.entries(roots) as Array<[Case['operation'], typeof roots.query]>) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      for (const arg of field.args) for (const target of stringLeaves(arg.type, arg.name)) cases.push({ operation, parent: null, field, target });
    }
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__') || Object.values(roots).includes(type)) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length === 0) continue;
      const parent = parents[type.name];
      if (!parent) throw new Error(`no way to reach ${type.name}.${field.name} in this test: add ${type.name} to its parents`);
      for (const arg of field.args) for (const target of stringLeaves(arg.type, arg.name)) cases.push({ operation: 'query', parent, field, target });
    }
  }
  return cases;
}

/** The document and variables for one case: every argument a variable, `bad` at the target leaf. */
function requestOf(c: Case, bad: string): { query: string; variables: Record<string, unknown> } {
  const args = c.field.args.filter((a: GraphQLArgument) => c.target === a.name || c.target.startsWith(`${a.name}.`) || c.target.startsWith(`${a.name}[`) || (isNonNullType(a.type) && a.defaultValue === undefined));
  const variables = Object.fromEntries(args.map((a) => [a.name, sample(a.type, a.name, c.target, bad)]));
  const defs = args.map((a) => `$${a.name}: ${String(a.type)}`).join(', ');
  const call = `${c.field.name}(${args.map((a) => `${a.name}: $${a.name}`).join(', ')})`;
  const selection = isObjectType(getNamedType(c.field.type)) ? `${call} { __typename }` : call;
  const body = c.parent ? `${parentOf(c)} { ${selection} }` : selection;
  return { query: `${c.operation}${defs ? `(${defs})` : ''} { ${body} }`, variables };
}

const BAD_VALUES: Array<[string, string]> = [
  ['U+0000', 'ok\u0000'],
  ['a lone surrogate', 'ok\ud800'],
  ['an over-long value', 'x'.repeat(MAX_ARGUMENT_CHARS + 1)],
];

const domain = `audit-${Date.now().toString(36)}.tld`;
/** A bulk job of the test's registrar (made in beforeAll, finished before any case runs), to reach BulkJob's fields. */
let jobId = '';
const cases = casesOf(await buildGatewaySchema(), { Domain: `domain(name: "${domain}")`, BulkJob: 'bulkJob(id: "JOB_ID")' });
/** The parent field of a case, with the bulk job's id filled in. */
function parentOf(c: Case): string {
  return c.parent!.replace('JOB_ID', jobId);
}

describe('every string argument of the schema', () => {
  let t: TestGateway;
  let key: string;
  /** What a request could write besides the command log (which upstreamCommands() counts). */
  const written = async () => {
    const p = t.gateway.services.prisma;
    return [await p.idempotencyRecord.count(), await p.domainIndex.count(), await p.pollMessage.count({ where: { ackedAt: { not: null } } })];
  };

  beforeAll(async () => {
    t = await startTestGateway({
      configure: (c) => {
        c.poll.enabled = false;
        c.limits.rateLimit = false; // a few hundred requests in seconds, from one key
      },
    });
    key = t.keys.NewRegistrar!;
    const r = await t.gql(key, 'mutation($n: String!) { createDomain(idempotencyKey: $n, input: { name: $n, authInfo: "G00d-Pw" }) { name } }', { n: domain });
    expect(r.errors).toBeUndefined();
    // A key of its own: the createDomain's key is that request's (IDEMPOTENCY_KEY_REUSED for a job).
    const j = await t.gql(key, 'mutation($k: String!, $n: String!) { bulkUpdateStatuses(idempotencyKey: $k, domains: [$n], add: [clientHold]) { job { id } } }', { k: `job-${domain}`, n: domain });
    expect(j.errors).toBeUndefined();
    jobId = j.data.bulkUpdateStatuses.job.id;
    // Finished before the cases run, so that its item's writes are not counted as theirs.
    const state = async () => (await t.gql(key, `{ bulkJob(id: "${jobId}") { state } }`)).data.bulkJob.state;
    while ((await state()) !== 'COMPLETED') await new Promise((r) => setTimeout(r, 50));
  });
  afterAll(() => t?.close());

  it('covers the arguments the issue names', () => {
    const names = cases.map((c) => `${c.field.name}:${c.target}`);
    for (const n of ['domain:authInfo', 'transfer:authInfo', 'domain:name', 'createContact:input.email', 'createContact:input.postalInfo[0].street[0]', 'pollMessages:after', 'commandLog:after', 'ackPollMessage:id', 'host:registry']) {
      expect(names).toContain(n);
    }
  });

  it.each(BAD_VALUES)('refuses %s anywhere over HTTP, naming the argument, before anything is sent or written', async (_what, bad) => {
    const before = await written();
    const baseline = new Map<string, number>();
    for (const c of cases.filter((x) => x.operation !== 'subscription')) {
      // A field below another (Domain.transfer) is reached through its parent, which may read upstream once.
      let parentCommands = 0;
      if (c.parent && !baseline.has(c.parent)) {
        const n = await t.upstreamCommands();
        expect((await t.gql(key, `{ ${parentOf(c)} { __typename } }`)).errors).toBeUndefined();
        baseline.set(c.parent, (await t.upstreamCommands()) - n);
      }
      if (c.parent) parentCommands = baseline.get(c.parent)!;
      const n = await t.upstreamCommands();
      const { query, variables } = requestOf(c, bad);
      const r = await t.gql(key, query, variables);
      const where = `${c.field.name} ${c.target}`;
      const error = r.errors?.[0];
      expect(error?.extensions, where).toMatchObject({ code: 'BAD_USER_INPUT', field: c.target });
      expect(error!.message.length, where).toBeLessThan(160);
      expect((await t.upstreamCommands()) - n, where).toBe(parentCommands);
    }
    expect(await written()).toEqual(before);
  });

  it.each(BAD_VALUES)('refuses %s in a subscription over graphql-ws before its stream starts', async (_what, bad) => {
    const client = createClient({ url: t.gateway.wsUrl, webSocketImpl: WebSocket, connectionParams: { Authorization: `Bearer ${key}` }, retryAttempts: 0 });
    try {
      for (const c of cases.filter((x) => x.operation === 'subscription')) {
        const errors = await new Promise<unknown>((resolve) => {
          client.subscribe(requestOf(c, bad), { next: (r) => resolve(r.errors), error: resolve, complete: () => resolve('completed without an error') });
        });
        expect(errors, c.target).toMatchObject([{ extensions: { code: 'BAD_USER_INPUT', field: c.target } }]);
      }
    } finally {
      await client.dispose();
    }
  });
});
