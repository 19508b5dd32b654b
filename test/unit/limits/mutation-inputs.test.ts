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
import { MutationInputs } from '../../../src/limits/mutation-inputs.js';

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
