/**
 * Every Mutation field of the schema has its parse step registered for the pre-pass
 * (src/limits/mutation-inputs.ts): a new mutation without one would run its earlier siblings in
 * a document before its own bad input is found. And each registered step names a real field.
 */
import 'reflect-metadata';
import { describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../../schema/build.js';
import { mutationInputs } from '../../../resolvers/index.js';
import { MutationInputs } from '../../../src/limits/mutation-inputs.js';

describe('mutation pre-pass registry', () => {
  it("covers every Mutation field of the schema, and only those", async () => {
    const schema = await buildGatewaySchema();
    const fields = Object.keys(schema.getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(20);
    expect(new MutationInputs(schema, mutationInputs).unregistered()).toEqual([]);
    expect(Object.keys(mutationInputs).filter((name) => !fields.includes(name))).toEqual([]);
  });
});
