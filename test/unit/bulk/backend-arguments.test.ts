/**
 * refuseBackendArguments (src/bulk/submit.ts): a bulk job's arguments go through each backend's
 * argument rules once per backend, not once per item, whatever the job's size; a refusal is
 * answered naming the bulk mutation's own argument (an item's `domains[1].authInfo`, the item
 * itself when the rule names no argument, `domains` for a job over every domain), the registry
 * and the backend's first domain with how many more.
 */
import { describe, expect, it } from 'vitest';
import { refuseBackendArguments, type BulkRequest } from '../../../src/bulk/submit.js';
import { UnsupportedByBackendError, ValidationError, type GatewayError } from '../../../src/core/errors.js';
import type { CommandArguments, RegistryPort } from '../../../src/core/port.js';
import { Router } from '../../../src/routing/router.js';

/** A port with argument rules only: each call recorded, `rule` deciding. */
function port(name: string, rule: (a: CommandArguments) => void = () => {}) {
  const calls: CommandArguments[] = [];
  const p = { name, refuseArguments: (_r: string, a: CommandArguments) => (calls.push(a), rule(a)) } as unknown as RegistryPort;
  return { p, calls };
}

/** 20,000 items, alternately at backends a and b. */
const routed = Array.from({ length: 20_000 }, (_, i) => ({ name: `x${i}.${i % 2 ? 'b' : 'a'}`, authInfo: `Code-${i}`, backend: i % 2 ? 'b' : 'a' }));

function thrown(fn: () => void): GatewayError {
  try {
    fn();
  } catch (err) {
    return err as GatewayError;
  }
  throw new Error('nothing thrown');
}

describe('refuseBackendArguments', () => {
  it('asks each backend once, with its first domain and the job-wide arguments, for 20,000 items', () => {
    const [a, b] = [port('a'), port('b')];
    const router = new Router([a.p, b.p], [{ suffix: 'a', backend: 'a' }, { suffix: 'b', backend: 'b' }]);
    const req: BulkRequest = { kind: 'UPDATE_STATUSES', params: { add: ['clientHold'], remove: [] }, items: routed };
    refuseBackendArguments(router, 'R', req, routed, true);
    expect(a.calls).toEqual([{ command: 'domain:update', input: { name: 'x0.a', add: { statuses: ['clientHold'], contacts: [], nameservers: [] }, remove: { statuses: [], contacts: [], nameservers: [] } } }]);
    expect(b.calls.map((c) => (c.input as { name: string }).name)).toEqual(['x1.b']);
    // A renewal's command has no argument rules.
    refuseBackendArguments(router, 'R', { kind: 'RENEW', params: { period: { value: 1, unit: 'y' } }, items: routed }, routed, true);
    expect(a.calls.length + b.calls.length).toBe(2);
  });

  it("names an item's own argument at the backend's first item, with the registry and how many more", () => {
    const b = port('b', (a) => {
      if (a.command === 'domain:transfer:request') throw new ValidationError('authInfo', 'the transfer auth code is required');
    });
    const router = new Router([port('a').p, b.p], [{ suffix: 'a', backend: 'a' }, { suffix: 'b', backend: 'b' }]);
    const e = thrown(() => refuseBackendArguments(router, 'R', { kind: 'TRANSFER', params: { period: null }, items: routed }, routed, true));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.details).toEqual({ field: 'domains[1].authInfo', backend: 'b' });
    expect(e.message).toBe('domains[1].authInfo: the transfer auth code is required at registry "b" (domains[1] "x1.b" and 9999 more)');
    expect(b.calls).toEqual([{ command: 'domain:transfer:request', input: { name: 'x1.b', authInfo: 'Code-1' } }]);
  });

  it('names the item when the rule names no argument, and `domains` for a job over every domain', () => {
    const b = port('b', () => {
      throw new UnsupportedByBackendError('b', 'transfers without a configured transferContact');
    });
    const router = new Router([port('a').p, b.p], [{ suffix: 'a', backend: 'a' }, { suffix: 'b', backend: 'b' }]);
    const listed = thrown(() => refuseBackendArguments(router, 'R', { kind: 'TRANSFER', params: { period: null }, items: routed }, routed, true));
    expect(listed.details).toEqual({ field: 'domains[1].name', backend: 'b' });
    expect(listed.message).toBe('backend "b" (domains[1] "x1.b" and 9999 more) does not support transfers without a configured transferContact');
    const every = thrown(() => refuseBackendArguments(router, 'R', { kind: 'REPLACE_TECH_CONTACT', params: { from: 'c1', to: 'c2', everyDomain: true }, items: null }, routed, false));
    expect(every.details).toEqual({ field: 'domains', backend: 'b' });
    expect(every.message).toBe('backend "b" ("x1.b" and 9999 more) does not support transfers without a configured transferContact');
  });

  it("maps a job-wide argument from the update's input path: statuses to add[i], a name server's address to to.ipv4", () => {
    const b = port('b', (a) => {
      if (a.command !== 'domain:update') return;
      if (a.input.add.statuses.length) throw new UnsupportedByBackendError('b', 'status clientHold', 'input.add.statuses[1]');
      throw new ValidationError('input.add.nameservers[0].ipv4', 'no glue here');
    });
    const router = new Router([b.p], [{ suffix: 'b', backend: 'b' }]);
    const one = [routed[1]!];
    expect(thrown(() => refuseBackendArguments(router, 'R', { kind: 'UPDATE_STATUSES', params: { add: ['clientTransferProhibited', 'clientHold'], remove: [] }, items: one }, one, true)).details.field).toBe('add[1]');
    const glue = thrown(() => refuseBackendArguments(router, 'R', { kind: 'REPLACE_NAMESERVER', params: { from: 'ns1.x.b', to: { name: 'ns2.x1.b', ipv4: ['192.0.2.1'], ipv6: [] } }, items: one }, one, true));
    expect(glue.details.field).toBe('to.ipv4');
    expect(glue.message).toBe('to.ipv4: no glue here at registry "b" (domains[0] "x1.b")');
  });

  it("rebuilds a refusal from its own parts, not its message's text: one already naming domains is not doubled", () => {
    // A refusal that names the domains it is about (as a bulk refusal does): its message does not start `backend "b" does not support`.
    const b = port('b', () => {
      throw new UnsupportedByBackendError('b', 'status clientHold', 'input.add.statuses[0]', 'its own domain list');
    });
    const router = new Router([b.p], [{ suffix: 'b', backend: 'b' }]);
    const one = [routed[1]!];
    const e = thrown(() => refuseBackendArguments(router, 'R', { kind: 'UPDATE_STATUSES', params: { add: ['clientHold'], remove: [] }, items: one }, one, true));
    expect(e).toBeInstanceOf(UnsupportedByBackendError);
    expect(e.details).toEqual({ field: 'add[0]', backend: 'b' });
    expect(e.message).toBe('backend "b" (domains[0] "x1.b") does not support status clientHold');
  });
});
