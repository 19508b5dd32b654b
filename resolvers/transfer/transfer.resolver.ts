import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, Info, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { TransferOp } from '../../src/core/model/index.js';
import { transferDomain, transferDomainChecks } from '../../src/operations/transfer/transfer-domain.js';
import { checkAuthInfo, normalizeDomainName } from '../../src/validation/names.js';
import { checkPeriod } from '../../src/validation/values.js';
import { PeriodInput } from '../../schema/common/common.input.js';
import { Transfer, TransferPayload } from '../../schema/transfer/transfer.type.js';
import { actorOf, localChecks, parsedArgs, transactionOf, type KeyArg, type MutationChecks, type MutationInputs } from '../common/mutate.js';
import { latestTransfer, transferNode } from './transfer.map.js';

/** A transfer mutation's arguments: the key and the domain, and for a request its auth code and period. */
type TransferArgs = KeyArg & { domainName: string; authInfo?: string | null; period?: PeriodInput | null };

/** The parse step of every transfer mutation: the key, the name, then (a request's) auth code and period. */
function parseTransfer(a: TransferArgs, ctx: GatewayContext) {
  const actor = actorOf(ctx, a.idempotencyKey);
  const name = normalizeDomainName('domainName', a.domainName);
  const authInfo = a.authInfo != null ? checkAuthInfo('authInfo', a.authInfo) : null;
  const period = a.period ? checkPeriod('period', a.period) : null;
  return { actor, name, authInfo, period };
}

/** The parse step of each transfer mutation (common/mutate.ts MutationInputs): its resolver's first step, and the pre-pass's. */
export const transferMutationInputs = {
  requestTransfer: parseTransfer,
  approveTransfer: parseTransfer,
  rejectTransfer: parseTransfer,
  cancelTransfer: parseTransfer,
} satisfies MutationInputs;

/** The checks of a transfer mutation that need no registry: transferDomainChecks, as transferDomain runs it. */
const transferChecks = (op: TransferOp) => localChecks((p: ReturnType<typeof parseTransfer>, ctx, caps) => transferDomainChecks(ctx.router, op, p, caps));

/** The checks of each transfer mutation that need no registry (common/mutate.ts MutationChecks), for the pre-pass. */
export const transferMutationChecks = {
  requestTransfer: transferChecks('request'),
  approveTransfer: transferChecks('approve'),
  rejectTransfer: transferChecks('reject'),
  cancelTransfer: transferChecks('cancel'),
} satisfies MutationChecks;

async function runTransfer(ctx: GatewayContext, info: GraphQLResolveInfo, op: TransferOp, args: TransferArgs): Promise<TransferPayload> {
  const { actor, name, authInfo, period } = parsedArgs(ctx, info, transferMutationInputs[`${op}Transfer`], args);
  const { result, replayed } = await transferDomain(ctx, actor, op, { name, authInfo, period });
  return { transfer: transferNode(result.transfer as never), transaction: transactionOf(result), replayed };
}

/** The `transfer` query and the transfer mutations (RFC 5731 section 3.2.4 request, approve, reject, cancel), each under its idempotency key. */
@Resolver(() => Transfer)
export class TransferResolver {
  @Query(() => Transfer, { nullable: true, description: 'The latest transfer of a domain (null when it has had none, or does not exist; a name more than one label below its zone, which no registry can hold, without asking the registry). REPP and Joker keep no transfer history: a domain the viewer sponsors answers serverApproved with losingRegistrar empty, transferred in or not (README, Backends).' })
  async transfer(
    @Arg('domainName') rawName: string,
    @Arg('authInfo', () => String, { nullable: true }) authInfo: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Transfer | null> {
    const name = normalizeDomainName('domainName', rawName);
    const pw = authInfo != null ? checkAuthInfo('authInfo', authInfo) : null; // "" is a too-short code, not none
    const backend = ctx.router.forReadable(name, 'domainName');
    return backend ? latestTransfer(ctx, backend.name, name, pw) : null;
  }

  @Mutation(() => TransferPayload, { nullable: true, description: 'Ask for a domain to move to the viewer; needs the auth info from the current sponsor.' })
  requestTransfer(
    @Arg('idempotencyKey') key: string,
    @Arg('domainName') name: string,
    @Arg('authInfo') authInfo: string,
    @Arg('period', () => PeriodInput, { nullable: true, description: 'Years added on transfer (registry default when absent).' }) period: PeriodInput | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ) {
    return runTransfer(ctx, info, 'request', { idempotencyKey: key, domainName: name, authInfo, period });
  }

  @Mutation(() => TransferPayload, { nullable: true, description: 'The losing (current) registrar approves a pending transfer.' })
  approveTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    return runTransfer(ctx, info, 'approve', { idempotencyKey: key, domainName: name });
  }

  @Mutation(() => TransferPayload, { nullable: true, description: 'The losing (current) registrar rejects a pending transfer.' })
  rejectTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    return runTransfer(ctx, info, 'reject', { idempotencyKey: key, domainName: name });
  }

  @Mutation(() => TransferPayload, { nullable: true, description: 'The gaining registrar withdraws its pending request.' })
  cancelTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    return runTransfer(ctx, info, 'cancel', { idempotencyKey: key, domainName: name });
  }
}
