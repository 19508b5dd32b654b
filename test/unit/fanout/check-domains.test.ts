import { describe, expect, it, vi } from 'vitest';
import { CommandSyntaxError, GatewayError, ParameterPolicyError, UnknownTldError, UpstreamFailureError } from '../../../src/core/errors.js';
import type { RegistryPort } from '../../../src/core/port.js';
import { checkDomainNames } from '../../../src/fanout/check-domains.js';
import { Router } from '../../../src/routing/router.js';
import { ListParses } from '../../../src/validation/list-parses.js';

/** An EPP-like registry that refuses a whole check command naming any of `bad` with `refusal`, and counts its commands. */
function registry(bad: Set<string>, refusal: (name: string) => Error) {
  const sent: string[][] = [];
  const port = {
    name: 'r',
    kind: 'epp',
    limits: { checkNames: 50, sessions: 2 },
    upstreamId: () => 'clid',
    async checkDomains(_ctx: unknown, names: string[]) {
      sent.push(names);
      const hit = names.find((n) => bad.has(n));
      if (hit) throw refusal(hit);
      return { data: names.map((name) => ({ name, available: true, reason: null })), trid: { client: 'c', server: 's' }, code: 1000 };
    },
  } as unknown as RegistryPort;
  return { router: new Router([port], [{ suffix: 'example', backend: 'r' }]), sent };
}
const call = { registrarId: 'acme' };
const names = (n: number) => Array.from({ length: n }, (_, i) => `n${i}.example`);
const syntax = () => new CommandSyntaxError('Domain name must have exactly one part above the TLD.', { upstreamCode: 2005, upstreamMessage: 'x' });

describe('checkDomainNames', () => {
  it('a refusal naming no name is split until it lands on the bad names: the others answer, at most 2*b*ceil(log2 n) more commands', async () => {
    const list = names(50);
    const { router, sent } = registry(new Set([list[7]!, list[41]!]), syntax);
    const out = await checkDomainNames(router, call, list);
    out.forEach((a, i) => {
      if (i === 7 || i === 41) expect((a as GatewayError).details.upstreamCode).toBe(2005);
      else expect(a).toMatchObject({ name: list[i], available: true, registry: 'r' });
    });
    expect(sent.length - 1).toBeLessThanOrEqual(2 * 2 * Math.ceil(Math.log2(50)));
  });

  it('every name refused: the split commands stop at the pool (4 x 12 for one command), each name carries the refusal, the ones not narrowed down with the limit', async () => {
    const list = names(50);
    const { router, sent } = registry(new Set(list), syntax);
    const out = await checkDomainNames(router, call, list);
    expect(out.every((a) => a instanceof GatewayError && a.details.upstreamCode === 2005)).toBe(true);
    expect(out.some((a) => (a as GatewayError).details.limit === 'limits.checkSplitCommands' && (a as GatewayError).details.max === 48)).toBe(true);
    expect(sent.length).toBeGreaterThan(1);
    expect(sent.length).toBeLessThanOrEqual(1 + 48);
    const none = registry(new Set(list), syntax);
    await checkDomainNames(none.router, call, list, 'names', { splitCommands: 0 });
    expect(none.sent).toHaveLength(1);
  });

  it('a refusal naming one of the names fails that name and checks the others again in one command', async () => {
    const list = names(10);
    const { router, sent } = registry(new Set([list[3]!]), (n) => new ParameterPolicyError(`${n}: reserved name`, { upstreamCode: 2306, upstreamMessage: `${n}: reserved name` }));
    const out = await checkDomainNames(router, call, list);
    expect((out[3] as GatewayError).code).toBe('PARAMETER_VALUE_POLICY_ERROR');
    expect(out.filter((a) => !(a instanceof Error))).toHaveLength(9);
    expect(sent.map((s) => s.length)).toEqual([10, 9]);
  });

  it('a transient failure (2400) is not split', async () => {
    const list = names(10);
    const { router, sent } = registry(new Set([list[3]!]), () => new UpstreamFailureError('Command failed', { upstreamCode: 2400, retryable: true }));
    const out = await checkDomainNames(router, call, list);
    expect(out.every((a) => a instanceof UpstreamFailureError)).toBe(true);
    expect(sent).toHaveLength(1);
  });

  it('a name deeper than its zone is answered without being sent', async () => {
    const { router, sent } = registry(new Set(), syntax);
    const out = await checkDomainNames(router, call, ['sub.a.example', 'b.example']);
    expect(out[0]).toMatchObject({ name: 'sub.a.example', available: false, reason: expect.stringMatching(/^not registrable: /), registry: 'r' });
    expect(out[1]).toMatchObject({ name: 'b.example', available: true });
    expect(sent).toEqual([['b.example']]);
  });

  it("with the request's list parses, a list checked by many fields is routed once, each field answering as alone (same order, same errors)", async () => {
    const list = [...names(120), 'sub.a.example', 'n3.example'];
    const alone = registry(new Set([list[7]!]), syntax);
    const expected = await checkDomainNames(alone.router, call, list);
    const { router, sent } = registry(new Set([list[7]!]), syntax);
    const routed = vi.spyOn(router, 'forDomain');
    const lists = new ListParses();
    const outs = await Promise.all([0, 1, 2].map(() => checkDomainNames(router, call, [...list], 'names', { lists })));
    expect(routed).toHaveBeenCalledTimes(list.length);
    for (const out of outs) {
      expect(out.map((a) => (a instanceof Error ? [a.constructor.name, (a as GatewayError).details.upstreamCode] : a))).toEqual(
        expected.map((a) => (a instanceof Error ? [a.constructor.name, (a as GatewayError).details.upstreamCode] : a)),
      );
    }
    expect(sent.length).toBe(3 * alone.sent.length); // each field still sends its own commands
  });

  it('a name that routes nowhere is refused naming its index, at every field sharing the routing, before anything is sent', async () => {
    const { router, sent } = registry(new Set(), syntax);
    const lists = new ListParses();
    const list = [...names(30), 'x.nowhere', 'y.nowhere'];
    const outs = await Promise.all([0, 1].map(() => checkDomainNames(router, call, list, 'names', { lists }).catch((e: unknown) => e)));
    for (const err of outs) {
      expect(err).toBeInstanceOf(UnknownTldError);
      expect((err as UnknownTldError).details.field).toBe('names[30]');
    }
    expect(sent).toEqual([]);
  });
});
