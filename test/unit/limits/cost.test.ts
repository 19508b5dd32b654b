/**
 * The cost table and the document rules on the issue's inputs: costs as the README states them,
 * and a fragment spread 2^25 times counted once per fragment.
 */
import 'reflect-metadata';
import { getIntrospectionQuery, getOperationAST, parse, specifiedRules, validate, type GraphQLError, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../../schema/build.js';
import { checkCost, operationCost } from '../../../src/limits/cost.js';
import { documentRules } from '../../../src/limits/document.js';
import { DEFAULT_LIMITS } from '../../../src/limits/limits.js';

let schema: GraphQLSchema;
beforeAll(async () => {
  schema = await buildGatewaySchema();
});

const cost = (query: string, variables?: Record<string, unknown>) => {
  const document = parse(query);
  return operationCost(schema, document, getOperationAST(document)!, variables);
};

describe('operation cost', () => {
  it('counts registry and database work, lists by their length', () => {
    expect(cost('{ viewer { id name accounts { registry tlds } } }')).toBe(0);
    expect(cost('{ domain(name: "a.example") { name statuses } }')).toBe(10);
    expect(cost('{ domain(name: "a.example") { registrant { email } transfer { status } } }')).toBe(30);
    expect(cost('{ domains(first: 50) { edges { node { name } } } }')).toBe(505);
    // A database list costs its query and 10 a row (the command log, poll messages), a job's items 5 each.
    expect(cost('{ commandLog(first: 500) { edges { node { id } } } }')).toBe(5 + 500 * 10);
    expect(cost('{ pollMessages(first: 20) { edges { node { id } } } }')).toBe(15 + 20 * 10);
    expect(cost('query($id: ID!) { bulkJob(id: $id) { state counts { done } items(first: 1000) { edges { node { position } } } } }', { id: 'j' })).toBe(5 + 5 + 5 + 1000 * 5);
    // A list nested in a list multiplies: each of 20 domains' 4 name servers read from its registry.
    expect(cost('{ domains(first: 20) { edges { node { nameservers { ipv4 } } } } }')).toBe(5 + 20 * (10 + 4 * 10));
    // An account's status is a registry read (one per account however many aliases: the request's loader).
    expect(cost('{ viewer { accounts { status { channelId } } } }')).toBe(10);
    expect(cost('query($n: Int!) { domains(first: $n) { edges { node { registrant { email } } } } }', { n: 20 })).toBe(5 + 20 * 20);
    // One check command per 50 names (10), and each name's answer 1 for each field asked of it.
    expect(cost('{ checkDomains(names: ["a.example", "b.example"]) { name available } }')).toBe(10 + 2 * 2);
    // 5,000 names are 100 commands and 5,000 answers.
    expect(cost('query($n: [String!]!) { checkDomains(names: $n) { name } }', { n: Array(5000).fill('a.example') })).toBe(1000 + 5000);
    expect(cost('query($n: [String!]!) { checkDomains(names: $n) { name } }', { n: Array(51).fill('a.example') })).toBe(20 + 51);
    expect(cost('{ domain(name: "a.example") { nameservers { name } } }')).toBe(10);
    // One host info per name server, however many of its host fields are asked for.
    expect(cost('{ domain(name: "a.example") { nameservers { name ipv4 ipv6 statuses } } }')).toBe(10 + 4 * 10);
    expect(cost('mutation { deleteDomain(name: "a.example", idempotencyKey: "k") { replayed } }')).toBe(25);
    const representations = [{ __typename: 'Domain', name: 'a.tld' }, { __typename: 'Domain', name: 'b.tld' }];
    expect(cost('query($r: [_Any!]!) { _entities(representations: $r) { ... on Domain { name expiresAt } } }', { r: representations })).toBe(20);
  });

  it("prices a bulk mutation by its domains, 2 each, added once to its payload's cost, so 49 aliases of the largest job are refused naming the first", () => {
    const renew = 'mutation($d: [BulkRenewItemInput!]!) { bulkRenew(idempotencyKey: "k", domains: $d) { job { id counts { done } } } }';
    const items = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `d${i}.example` }));
    // MUTATION, 2 a domain, and the payload's counts (one database query) once: not once per domain.
    expect(cost(renew, { d: items(3) })).toBe(25 + 3 * 2 + 5);
    expect(cost('mutation { bulkUpdateStatuses(idempotencyKey: "k", domains: ["a.example", "b.example"], add: [clientHold]) { replayed } }')).toBe(25 + 2 * 2);
    expect(cost('mutation($d: [BulkTransferItemInput!]!) { bulkTransfer(idempotencyKey: "k", domains: $d) { replayed } }', { d: [{ name: 'a.example', authInfo: 'x' }] })).toBe(25 + 2);
    // Every domain of the registrar's (domains: null): nothing listed.
    expect(cost('mutation { bulkReplaceNameserver(idempotencyKey: "k", from: "ns1.a.example", to: { name: "ns2.a.example" }, domains: null) { replayed } }')).toBe(25);
    expect(cost('mutation { bulkReplaceTechContact(idempotencyKey: "k", from: "c1", to: "c2", domains: ["a.example"]) { replayed } }')).toBe(25 + 2);
    // The largest job (bulk.maxItems, 20,000) fits the default maxCost.
    const document = parse(renew);
    expect(checkCost(schema, document, getOperationAST(document)!, { d: items(20_000) }, 60_000)).toBe(25 + 40_000 + 5);
    const aliases = parse(`mutation($d: [BulkRenewItemInput!]!) { ${Array.from({ length: 49 }, (_, i) => `a${i}: bulkRenew(idempotencyKey: "k${i}", domains: $d) { job { id } }`).join(' ')} }`);
    expect(() => checkCost(schema, aliases, getOperationAST(aliases)!, { d: items(20_000) }, 60_000)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('a0.domains (20000 items) costs 40025'),
        extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', field: 'a0.domains' }),
      }),
    );
  });

  it("prices checkDomains by the answers it gives, each name 1 a field asked, so 50 aliases over 5,000 names are refused naming the first, one list of 5,000 is not", () => {
    const names = (n: number) => ({ n: Array.from({ length: n }, (_, i) => `c${i}.example`) });
    const one = (selection: string) => cost(`query($n: [String!]!) { checkDomains(names: $n) ${selection} }`, names(5000));
    expect(one('{ name available reason registry }')).toBe(1000 + 5000 * 4);
    // Aliases and __typename inside the answer are fields too; a fragment's fields count where it is spread.
    expect(one('{ __typename a: name b: name }')).toBe(1000 + 5000 * 3);
    expect(cost('query($n: [String!]!) { checkDomains(names: $n) { ...C } } fragment C on DomainCheck { name available }', names(1000))).toBe(200 + 1000 * 2);
    const fifty = parse(`query($n: [String!]!) { ${Array.from({ length: 50 }, (_, i) => `a${i}: checkDomains(names: $n) { name available reason }`).join(' ')} }`);
    expect(() => checkCost(schema, fifty, getOperationAST(fifty)!, names(5000), 60_000)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining('a0.names (5000 items) costs 16000'),
        extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost', field: 'a0.names' }),
      }),
    );
    const single = parse('query($n: [String!]!) { checkDomains(names: $n) { name available reason registry } }');
    expect(checkCost(schema, single, getOperationAST(single)!, names(5000), 60_000)).toBe(21_000);
  });

  it("prices introspection by its CPU: __schema 1,000, each __type 200, so fifty aliased __type cost 10,000, not nothing", () => {
    const domainType = '__type(name: "Domain") { fields { name type { name } } }';
    expect(cost(`{ ${domainType} }`)).toBe(200);
    expect(cost('{ __schema { types { name } } }')).toBe(1000);
    const aliased = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `t${i}: ${domainType}`).join(' ')} }`;
    expect(cost(aliased(50))).toBe(10_000);
    // A maxCost of 5,000 refuses the fifty before they run; the default maxAliases refuses a 51st alias.
    const document = parse(aliased(50));
    expect(() => checkCost(schema, document, getOperationAST(document)!, {}, 5000)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('estimated cost is 10000'), extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost' }) }),
    );
    const errors = validate(schema, parse(aliased(51)), [...specifiedRules, ...documentRules(DEFAULT_LIMITS)]);
    expect(errors.map((e) => [e.extensions.code, e.extensions.limit])).toEqual([['QUERY_TOO_COMPLEX', 'maxAliases']]);
  });

  it('names the dearest field of a refused operation: the list argument that multiplies, through aliases and fragments', () => {
    const refusal = (query: string, variables: Record<string, unknown>, maxCost = 60_000) => {
      const document = parse(query);
      try {
        checkCost(schema, document, getOperationAST(document)!, variables, maxCost);
      } catch (e) {
        return [(e as GraphQLError).extensions.field, (e as GraphQLError).extensions.code, (e as GraphQLError).message];
      }
      return null;
    };
    expect(refusal('query($n: Int!) { viewer { id } domains(first: $n) { edges { node { name } } } }', { n: 2147483647 })).toEqual(['domains.first', 'QUERY_TOO_COMPLEX', expect.stringContaining('domains.first (2147483647 items) costs 21474836475')]);
    expect(refusal('query($n: Int!) { c0: commandLog(first: 10) { edges { node { id } } } c1: commandLog(first: $n) { edges { node { id } } } }', { n: 6000 })?.[0]).toBe('c1.first');
    expect(refusal('query($id: ID!, $n: Int!) { ...J } fragment J on Query { bulkJob(id: $id) { items(first: $n) { edges { node { position } } } } }', { id: 'j', n: 13000 })?.[0]).toBe('bulkJob.items.first');
    // No list sized by an argument: the field that costs the most.
    expect(refusal('{ domain(name: "a.example") { name } t0: __type(name: "Domain") { name } }', {}, 100)?.[0]).toBe('t0');
  });

  it('refuses above maxCost with QUERY_TOO_COMPLEX, and variables that do not fit with BAD_USER_INPUT', () => {
    const document = parse('query($n: Int!) { domains(first: $n) { edges { node { name } } } }');
    const op = getOperationAST(document)!;
    expect(checkCost(schema, document, op, { n: 10 }, 5000)).toBe(105);
    expect(() => checkCost(schema, document, op, { n: 500 }, 5000)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost' }) }));
    expect(() => checkCost(schema, document, op, { n: 'many' }, 5000)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }) }));
  });
});

describe('document rules', () => {
  const rules = [...specifiedRules, ...documentRules(DEFAULT_LIMITS)];

  it('count the 26-fragment bomb (2^25 copies of one field) once per fragment, and refuse it as expanding past maxFields', () => {
    const lines = ['query { ...F0 }'];
    for (let i = 0; i < 25; i++) lines.push(`fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`);
    lines.push('fragment F25 on Query { viewer { id } }');
    const document = parse(lines.join('\n'));
    const errors = validate(schema, document, rules);
    expect(errors.map((e) => [e.extensions.code, e.extensions.limit])).toEqual([['QUERY_TOO_COMPLEX', 'maxFields']]);
    // The cost walk, should a document get that far, stops at 10,000 fields.
    expect(() => checkCost(schema, document, getOperationAST(document)!, {}, 1000)).toThrow(
      expect.objectContaining({ message: expect.stringContaining('expands to more than 10000 fields'), extensions: expect.objectContaining({ code: 'QUERY_TOO_COMPLEX', limit: 'maxCost' }) }),
    );
  });

  it('refuse an operation deeper than maxDepth, counting levels through fragments', () => {
    const deep = parse('{ ...A } fragment A on Query { domain(name: "a.example") { ...B } } fragment B on Domain { contacts { contact { postalInfo { name } } } }');
    const errors = validate(schema, deep, [...specifiedRules, ...documentRules({ ...DEFAULT_LIMITS, maxDepth: 4 })]);
    expect(errors.map((e) => [e.extensions.code, e.extensions.limit, e.message])).toEqual([['QUERY_TOO_COMPLEX', 'maxDepth', 'Query depth limit of 4 exceeded, found 5.']]);
  });

  it('refuse more than maxSameNameFields fields of one response name at one place before any other rule walks the document, naming the place', () => {
    const limits = { ...DEFAULT_LIMITS, maxSameNameFields: 30 };
    const check = (query: string) => validate(schema, parse(query), [...specifiedRules, ...documentRules(limits)]).map((e) => [e.extensions.code, e.extensions.limit, e.extensions.field]);
    const rep = (n: number, s: string) => Array.from({ length: n }, () => s).join(' ');
    expect(check(`{ viewer { ${rep(30, 'id')} } }`)).toEqual([]);
    expect(check(`{ viewer { ${rep(31, 'id')} } }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxSameNameFields', 'viewer.id']]);
    // Fields of repeated parents merge: 6 x 6 at viewer.accounts.registry, though no selection set has more than 6.
    expect(check(`{ viewer { ${rep(6, `accounts { ${rep(6, 'registry')} }`)} } }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxSameNameFields', 'viewer.accounts.registry']]);
    // Through fragments and inline fragments; an alias is the name the answer uses.
    expect(check(`{ viewer { ...A ... on Registrar { ${rep(16, 'x: id')} } } } fragment A on Registrar { ${rep(15, 'x: name')} }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxSameNameFields', 'viewer.x']]);
    // The quadratic rule never ran: a document that would have run out of its budget ("Validation aborted.") gets only this error.
    expect(check(`{ viewer { ${rep(30, `accounts { ${rep(30, 'registry')} }`)} } }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxSameNameFields', 'viewer.accounts.registry']]);
    // A document whose places it would take more than maxFields to count (2^16 through fragments, introspection, which the other field count leaves out) is refused as maxFields.
    const levels = Array.from({ length: 16 }, (_, i) => `fragment T${i} on __Type { ofType { ...T${i + 1} } interfaces { ...T${i + 1} } }`);
    expect(check(`{ __type(name: "Domain") { ...T0 } } ${levels.join(' ')} fragment T16 on __Type { name }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxFields', undefined]]);
    // Unused fragments count too (graphql-js compares within them as well).
    expect(check(`{ viewer { id } } fragment U on Registrar { ${rep(31, 'id')} }`)).toEqual([['QUERY_TOO_COMPLEX', 'maxSameNameFields', '...U.id']]);
  });

  it("leave introspection out of the depth: graphql-js's own introspection query is valid", () => {
    expect(validate(schema, parse(getIntrospectionQuery()), rules)).toEqual([]);
  });
});
