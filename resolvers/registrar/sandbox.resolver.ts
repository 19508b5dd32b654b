import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { refuseLocally } from '../../src/operations/checks.js';
import { recordOf, runOperation } from '../../src/operations/run.js';
import { SandboxResetPayload } from '../../schema/registrar/account-status.type.js';
import { Sealer } from '../../src/bulk/seal.js';
import { actorOf, asDate, localChecks, parsedArgs, transactionOf, type KeyArg, type MutationChecks, type MutationInputs, type TransactionRecord } from '../common/mutate.js';

interface ResetRecord extends TransactionRecord {
  resetAt: string | null;
  fixtures: { role: string; domain: string }[];
  /** The transfer fixture's auth code, sealed (IdempotencyService.answers): the record never holds it as given. */
  transferAuthInfo: string | null;
}

/** The parse step of sandboxReset (common/mutate.ts MutationInputs): the key, then the registry by its name (config only). */
export const sandboxMutationInputs = {
  sandboxReset: (a: KeyArg & { registry: string }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), backend: ctx.router.named(a.registry, 'registry') }),
} satisfies MutationInputs;

/**
 * The checks of sandboxReset that need no registry (common/mutate.ts MutationChecks), for the
 * pre-pass: a registrar without an account at the registry (ForbiddenError, reading its
 * capabilities); its resolver makes them again before the key is read.
 */
export const sandboxMutationChecks = {
  sandboxReset: localChecks((p: ReturnType<typeof sandboxMutationInputs.sandboxReset>, _ctx, caps) => caps(p.backend)),
} satisfies MutationChecks;

/** The sandboxReset mutation (HeadlessDomains POST /sandbox/reset), under its idempotency key. */
@Resolver()
export class SandboxResolver {
  @Mutation(() => SandboxResetPayload, {
    nullable: true,
    description:
      "Re-creates the registry's OT&E fixtures for the viewer's account (HeadlessDomains POST /sandbox/reset), leaving every other registration alone. Only sandbox accounts accept it (FORBIDDEN elsewhere; UNSUPPORTED_BY_BACKEND for registries without one).",
  })
  async sandboxReset(@Arg('idempotencyKey') key: string, @Arg('registry') registry: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<SandboxResetPayload> {
    const { actor, backend } = parsedArgs(ctx, info, sandboxMutationInputs.sandboxReset, { idempotencyKey: key, registry });
    await refuseLocally(actor.registrarId, (caps) => caps(backend));
    const { result, replayed } = await runOperation<ResetRecord>(ctx, actor, 'sandboxReset', { registry: backend.name }, async (call) => {
      const r = await backend.sandboxReset(call);
      const code = r.data.transferAuthInfo ?? null;
      return { ...recordOf(r), resetAt: r.data.resetAt?.toISOString() ?? null, fixtures: r.data.fixtures, transferAuthInfo: code === null ? null : ctx.idempotency.answers.seal(code) };
    });
    // A record written before answers were sealed holds the code as given: it replays as it is.
    const sealed = result.transferAuthInfo;
    const transferAuthInfo = Sealer.isSealed(sealed) ? ctx.idempotency.answers.open(sealed) : sealed;
    return { registry: backend.name, resetAt: asDate(result.resetAt), fixtures: result.fixtures, transferAuthInfo, transaction: transactionOf(result), replayed };
  }
}
