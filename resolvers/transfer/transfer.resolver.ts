import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { TransferOp } from '../../src/core/model/index.js';
import { DomainIndex } from '../../src/domains/domain-index.js';
import { checkAuthInfo, checkIdempotencyKey, normalizeDomainName } from '../../src/validation/names.js';
import { checkPeriod, checkPeriodUnit } from '../../src/validation/values.js';
import { PeriodInput } from '../../schema/common/common.input.js';
import { Transfer, TransferPayload } from '../../schema/transfer/transfer.type.js';
import { mutate, recordOf, transactionOf } from '../common/mutate.js';
import { latestTransfer, transferNode } from './transfer.map.js';

async function runTransfer(
  ctx: GatewayContext,
  op: TransferOp,
  key: string,
  rawName: string,
  opts: { authInfo?: string | null; period?: PeriodInput | null } = {},
): Promise<TransferPayload> {
  checkIdempotencyKey('idempotencyKey', key);
  const name = normalizeDomainName('domainName', rawName);
  const authInfo = opts.authInfo != null ? checkAuthInfo('authInfo', opts.authInfo) : null;
  const period = opts.period ? checkPeriod('period', opts.period) : null;
  const backend = ctx.router.forDomain(name, 'domainName');
  if (period) checkPeriodUnit('period', period, (await backend.capabilities(ctx.call)).periodUnits);
  const operation = `${op}Transfer`;
  const { result, replayed } = await mutate(ctx, operation, key, { name, authInfo, period }, async (call) => {
    const r = await backend.transferDomain(call, op, name, { authInfo, period });
    await new DomainIndex(ctx.prisma).followTransfer(r.data, backend, ctx.config.registrars.map((x) => x.id));
    return { ...recordOf(r), transfer: r.data };
  });
  return { transfer: transferNode(result.transfer as never), transaction: transactionOf(result), replayed };
}

@Resolver(() => Transfer)
export class TransferResolver {
  @Query(() => Transfer, { nullable: true, description: 'The latest transfer of a domain (null when it has had none).' })
  async transfer(
    @Arg('domainName') rawName: string,
    @Arg('authInfo', () => String, { nullable: true }) authInfo: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Transfer | null> {
    const name = normalizeDomainName('domainName', rawName);
    const pw = authInfo ? checkAuthInfo('authInfo', authInfo) : null;
    const backend = ctx.router.forDomain(name, 'domainName');
    return latestTransfer(ctx, backend.name, name, pw);
  }

  @Mutation(() => TransferPayload, { description: 'Ask for a domain to move to the viewer; needs the auth info from the current sponsor.' })
  requestTransfer(
    @Arg('idempotencyKey') key: string,
    @Arg('domainName') name: string,
    @Arg('authInfo') authInfo: string,
    @Arg('period', () => PeriodInput, { nullable: true, description: 'Years added on transfer (registry default when absent).' }) period: PeriodInput | null,
    @Ctx() ctx: GatewayContext,
  ) {
    return runTransfer(ctx, 'request', key, name, { authInfo, period });
  }

  @Mutation(() => TransferPayload, { description: 'The losing (current) registrar approves a pending transfer.' })
  approveTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext) {
    return runTransfer(ctx, 'approve', key, name);
  }

  @Mutation(() => TransferPayload, { description: 'The losing (current) registrar rejects a pending transfer.' })
  rejectTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext) {
    return runTransfer(ctx, 'reject', key, name);
  }

  @Mutation(() => TransferPayload, { description: 'The gaining registrar withdraws its pending request.' })
  cancelTransfer(@Arg('idempotencyKey') key: string, @Arg('domainName') name: string, @Ctx() ctx: GatewayContext) {
    return runTransfer(ctx, 'cancel', key, name);
  }
}
