/**
 * A stop does not wait for a registry that holds a command. An operator's trial: SIGTERM while an
 * EPP registry held a renewal (its process paused) cut the client's request after
 * SHUTDOWN_DRAIN_MS, but the process exited only when the command timed out, 30 s after SIGTERM,
 * past Kubernetes' default grace. Now the commands still under way get UPSTREAM_STOP_GRACE_MS after
 * the drain, then their connections are closed (their outcome unknown, as after a crash) and the
 * log says how many.
 *
 * Here the registry holds the renewal's answer for ever (the sandbox's hold-after-apply fault,
 * released only when the connection goes) and the command timeout is ten minutes, far past the
 * test's: the stop completing at all is what shows the command was abandoned.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { EppSandbox } from '../../src/sandbox/epp/index.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

const lines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    lines.push(String(chunk));
    done();
  },
});

let t: TestGateway;
let closed = false;
beforeAll(async () => {
  t = await startTestGateway({
    logger: pino({ level: 'info' }, sink),
    configure: (c) => {
      c.poll.enabled = false;
      c.shutdownDrainMs = 300;
      const nomulus = c.backends.find((b) => b.name === 'sandbox-nomulus')!;
      (nomulus as { commandTimeoutMs?: number }).commandTimeoutMs = 600_000;
    },
  });
}, 120_000);
afterAll(async () => {
  if (!closed) await t?.close();
});

it('a command the registry holds is abandoned after the grace: the stop completes, and the log counts it', async () => {
  const A = t.keys.NewRegistrar!;
  const name = `held-${randomUUID().slice(0, 8)}.tld`;
  const created = await t.gql(A, 'mutation($k: String!, $n: String!) { createDomain(idempotencyKey: $k, input: { name: $n, authInfo: "H3ld-pw1" }) { name } }', { k: randomUUID(), n: name });
  expect(created.errors).toBeUndefined();
  const sandbox = t.gateway.sandboxes.sandboxes.get('sandbox-nomulus') as EppSandbox;
  const renewals = sandbox.applied('domain:renew');
  sandbox.faults.next({ command: 'domain:renew', action: 'hold-after-apply' });
  const renewing = t.gql(A, 'mutation($k: String!, $n: String!) { renewDomain(idempotencyKey: $k, input: { name: $n }) { name } }', { k: randomUUID(), n: name }).then(
    (r) => ({ answered: r }),
    (err: unknown) => ({ cut: err }),
  );
  // The registry has applied the renewal and holds its answer.
  while (sandbox.applied('domain:renew') === renewals) await new Promise((r) => setImmediate(r));
  await t.close();
  closed = true;
  // The client's request was cut at the drain, before any answer.
  expect(await renewing).toHaveProperty('cut');
  const abandoned = lines.map((l) => JSON.parse(l) as { msg: string; commands?: number }).find((l) => l.msg.startsWith('closing: upstream commands still under way'));
  expect(abandoned).toMatchObject({ commands: 1 });
}, 120_000);
