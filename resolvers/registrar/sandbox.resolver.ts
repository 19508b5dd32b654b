import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { recordOf, runOperation } from '../../src/operations/run.js';
import { SandboxResetPayload } from '../../schema/registrar/account-status.type.js';
import { actorOf, asDate, transactionOf, type TransactionRecord } from '../common/mutate.js';

interface ResetRecord extends TransactionRecord {
  resetAt: string | null;
  fixtures: { role: string; domain: string }[];
  transferAuthInfo: string | null;
}

@Resolver()
export class SandboxResolver {
  @Mutation(() => SandboxResetPayload, {
    description:
      "Re-creates the registry's OT&E fixtures for the viewer's account (HeadlessDomains POST /sandbox/reset), leaving every other registration alone. Only sandbox accounts accept it (FORBIDDEN elsewhere; UNSUPPORTED_BY_BACKEND for registries without one).",
  })
  async sandboxReset(@Arg('idempotencyKey') key: string, @Arg('registry') registry: string, @Ctx() ctx: GatewayContext): Promise<SandboxResetPayload> {
    const actor = actorOf(ctx, key);
    const backend = ctx.router.named(registry, 'registry');
    const { result, replayed } = await runOperation<ResetRecord>(ctx, actor, 'sandboxReset', { registry: backend.name }, async (call) => {
      const r = await backend.sandboxReset(call);
      return { ...recordOf(r), resetAt: r.data.resetAt?.toISOString() ?? null, fixtures: r.data.fixtures, transferAuthInfo: r.data.transferAuthInfo ?? null };
    });
    return { registry: backend.name, resetAt: asDate(result.resetAt), fixtures: result.fixtures, transferAuthInfo: result.transferAuthInfo, transaction: transactionOf(result), replayed };
  }
}
