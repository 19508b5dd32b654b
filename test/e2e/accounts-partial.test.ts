/**
 * One registry that cannot be reached costs only its own account's capabilities in `viewer.accounts`.
 * An EPP registry's capabilities come from the greeting its session receives (it logs in first when
 * it has none): with the registry down, that read fails. `capabilities` was non-null, so the
 * failure nulled the account, the non-null list, and the whole `viewer`: a frontend showing the
 * registrar's accounts lost all of them. Now the unreachable account's `capabilities` is null with
 * its error at its path, and every other account answers. Real sandboxes over real sockets.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;

beforeAll(async () => {
  // No poller: nothing logs in to the registry before the query does.
  t = await startTestGateway({ configure: (c) => void (c.poll.enabled = false) });
  await (t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox).stop();
}, 60_000);
afterAll(() => t?.close());

it('viewer.accounts with one EPP registry down: that account\'s capabilities are null with UPSTREAM_UNAVAILABLE, the others answer in full', async () => {
  const r = await t.gql(t.keys.NewRegistrar!, '{ viewer { id accounts { registry capabilities { contacts hostObjects dnssec poll } } } }');
  expect(r.data?.viewer?.id).toBe('NewRegistrar');
  const accounts: Array<{ registry: string; capabilities: Record<string, boolean> | null }> = r.data!.viewer.accounts;
  const down = accounts.findIndex((a) => a.registry === 'sandbox-nomulus');
  expect(down).toBeGreaterThanOrEqual(0);
  expect(accounts[down]!.capabilities).toBeNull();
  expect(r.errors).toHaveLength(1);
  expect(r.errors![0]!.path).toEqual(['viewer', 'accounts', down, 'capabilities']);
  expect(r.errors![0]!.extensions?.code).toBe('UPSTREAM_UNAVAILABLE');
  const up = accounts.filter((a) => a.registry !== 'sandbox-nomulus');
  expect(up.length).toBeGreaterThanOrEqual(3);
  for (const a of up) expect(a.capabilities, a.registry).toMatchObject({ contacts: expect.any(Boolean), dnssec: expect.any(Boolean) });
}, 60_000);
