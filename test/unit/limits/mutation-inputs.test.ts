/**
 * Every Mutation field of the schema has its parse step registered for the pre-pass
 * (src/limits/mutation-inputs.ts): a new mutation without one would run its earlier siblings in
 * a document before its own bad input is found. And each registered step names a real field.
 * Every mutation that routes to a registry has its checks that need no registry too.
 */
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../../schema/build.js';
import { mutationChecks, mutationInputs } from '../../../resolvers/index.js';
import { buildSchema, getOperationAST, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { MutationInputs, takeParsed } from '../../../src/limits/mutation-inputs.js';

describe('mutation pre-pass registry', () => {
  it("covers every Mutation field of the schema, and only those", async () => {
    const schema = await buildGatewaySchema();
    const fields = Object.keys(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(20);
    expect(new MutationInputs(schema, mutationInputs).unregistered()).toEqual([]);
    expect(Object.keys(mutationInputs).filter((name) => !fields.includes(name))).toEqual([]);
  });

  it('has checks that need no registry for every mutation but those whose refusals are read from the database', async () => {
    const schema = await buildGatewaySchema();
    const fields = Object.keys(schema.getMutationType()!.getFields());
    expect(new MutationInputs(schema, mutationInputs, mutationChecks).checksWithoutParse()).toEqual([]);
    expect(fields.filter((name) => !(name in mutationChecks)).sort()).toEqual(['ackPollMessage', 'cancelBulkJob']);
  });
});

describe('the parse results the pre-pass hands to resolvers', () => {
  const schema = buildSchema('type Query { x: Int } type Mutation { m(a: Int!): Int }');
  const step = (args: { a: number }) => ({ a: args.a });
  const inputs = new MutationInputs<object>(schema, { m: step as never });
  const document = parse('mutation($a: Int!) { m(a: $a) }');
  const operation = getOperationAST(document) as OperationDefinitionNode;
  const node = operation.selectionSet.selections[0] as FieldNode;

  it('go to the field of the request they were made for, once, from the step that made them', async () => {
    const [ctx, other] = [{}, {}];
    expect(await inputs.errorsOf(document, operation, { a: 1 }, ctx)).toEqual([]);
    expect(takeParsed(other, node, step)).toEqual({ found: false });
    expect(takeParsed(ctx, node, (args: { a: number }) => ({ a: args.a }))).toEqual({ found: false });
    expect(takeParsed(ctx, node, step)).toEqual({ found: true, value: { a: 1 } });
    expect(takeParsed(ctx, node, step)).toEqual({ found: false });
  });

  it('go nowhere when two operations were checked with one context (batched requests would share it)', async () => {
    const ctx = {};
    await inputs.errorsOf(document, operation, { a: 1 }, ctx);
    await inputs.errorsOf(document, operation, { a: 2 }, ctx);
    expect(takeParsed(ctx, node, step)).toEqual({ found: false });
  });
});
