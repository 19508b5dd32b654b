/** Every operation in schema/examples.graphql runs, in order, without errors (the file stays true). */
import { readFileSync } from 'node:fs';
import { Kind, parse } from 'graphql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const source = readFileSync(new URL('../../schema/examples.graphql', import.meta.url), 'utf8');
const names = parse(source).definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []));

let t: TestGateway;
beforeAll(async () => {
  t = await startTestGateway({ configure: (c) => (c.poll.enabled = false) });
});
afterAll(() => t?.close());

it('has operations to try', () => {
  expect(names.length).toBeGreaterThanOrEqual(6);
});

it.each(names)('%s runs without errors', async (operationName) => {
  const res = await fetch(t.gateway.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.keys.NewRegistrar}` },
    body: JSON.stringify({ query: source, operationName }),
  });
  const body = (await res.json()) as { errors?: unknown[]; data?: unknown };
  expect(body.errors).toBeUndefined();
  expect(body.data).toBeTruthy();
});
