#!/usr/bin/env node
/**
 * CPU of introspection per field, against the cost src/limits/cost.ts gives it (INTROSPECTION
 * for `__schema`, TYPE_INTROSPECTION for `__type`).
 *
 *   npm run bench:introspection [-- --runs 20]
 *
 * Executes each document against the gateway's schema in this process, as the gateway does after
 * validation (graphql-js execute, then JSON.stringify of the answer), and prints the mean CPU per
 * document and per introspection field, the answer's size and the document's cost. Each document
 * passes the gateway's document rules (it says so when one does not). It prints figures; it
 * asserts nothing.
 */
import 'reflect-metadata';
import { execute, getIntrospectionQuery, getOperationAST, parse, specifiedRules, validate } from 'graphql';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const RUNS = arg('runs', 20);

const { buildGatewaySchema } = await import('../dist/schema/build.js');
const { documentRules, parseOptions } = await import('../dist/src/limits/document.js');
const { DEFAULT_LIMITS } = await import('../dist/src/limits/limits.js');
const { operationCost } = await import('../dist/src/limits/cost.js');
const schema = await buildGatewaySchema();
const rules = [...specifiedRules, ...documentRules(DEFAULT_LIMITS)];

/** Each field's arguments with their input types' fields, and the result type's fields: the largest `__type` answer the rules admit that we found. */
const LARGE = `name kind fields(includeDeprecated: true) { name description isDeprecated deprecationReason args { name description defaultValue type { kind name ofType { kind name ofType { kind name inputFields { name description defaultValue type { kind name ofType { kind name ofType { kind name } } } } } } } } type { kind name ofType { kind name fields { name description args { name } type { name kind ofType { name kind ofType { name } } } } } } }`;
const aliasedType = (type, selection, n) => `{ ${Array.from({ length: n }, (_, i) => `a${i}: __type(name: "${type}") { ...F }`).join(' ')} } fragment F on __Type { ${selection} }`;

const documents = [
  ['whole introspection (getIntrospectionQuery)', getIntrospectionQuery(), 1],
  ['50 x __type(name: "Domain") { fields { name type { name } } }', aliasedType('Domain', 'fields { name type { name } }', 50), 50],
  ['50 x __type(name: "Domain") { large selection }', aliasedType('Domain', LARGE, 50), 50],
  ['50 x __type(name: "Query") { large selection }', aliasedType('Query', LARGE, 50), 50],
  ['50 x __type(name: "Mutation") { large selection }', aliasedType('Mutation', LARGE, 50), 50],
  ['50 x __typename', `{ ${Array.from({ length: 50 }, (_, i) => `a${i}: __typename`).join(' ')} }`, 50],
];

for (const [name, text, fields] of documents) {
  const document = parse(text, parseOptions(DEFAULT_LIMITS));
  const errors = validate(schema, document, rules);
  if (errors.length > 0) {
    console.log(`${name}: refused by the document rules: ${errors[0].message}`);
    continue;
  }
  const cost = operationCost(schema, document, getOperationAST(document), {});
  const run = () => JSON.stringify(execute({ schema, document })).length;
  for (let i = 0; i < 5; i++) run();
  const before = process.cpuUsage();
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) bytes = run();
  const used = process.cpuUsage(before);
  const us = (used.user + used.system) / RUNS;
  console.log(`${name}: ${(us / 1000).toFixed(2)} ms CPU per document, ${(us / fields).toFixed(0)} µs per field, answer ${(bytes / 1024).toFixed(0)} KB, cost ${cost}`);
}
