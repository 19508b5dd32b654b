import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { printGatewaySchema } from '../../../schema/build.js';

describe('checked-in SDL', () => {
  it('schema/schema.graphql matches the type-graphql classes (run `npm run schema:print` when this fails)', async () => {
    const committed = readFileSync(new URL('../../../schema/schema.graphql', import.meta.url), 'utf8');
    expect(committed).toBe(await printGatewaySchema());
  });

  it('every mutation takes a required idempotencyKey', async () => {
    const { buildGatewaySchema } = await import('../../../schema/build.js');
    const mutations = (await buildGatewaySchema()).getMutationType()!.getFields();
    const missing = Object.values(mutations).filter((m) => !m.args.some((a) => a.name === 'idempotencyKey' && String(a.type) === 'String!'));
    expect(missing.map((m) => m.name)).toEqual([]);
    expect(Object.keys(mutations).length).toBeGreaterThanOrEqual(16);
  });

  it('every mutation payload is nullable: a field that fails once running is null with its error, and the fields before it keep their answers (README Errors)', async () => {
    const { buildGatewaySchema } = await import('../../../schema/build.js');
    const { isNonNullType } = await import('graphql');
    const mutations = (await buildGatewaySchema()).getMutationType()!.getFields();
    expect(Object.values(mutations).filter((m) => isNonNullType(m.type)).map((m) => m.name)).toEqual([]);
  });
});
