import { Arg, Ctx, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { HostNode } from '../../src/loaders/loaders.js';
import { toHostCreate, toHostUpdate } from '../../src/validation/inputs.js';
import { checkIdempotencyKey, checkRegistryName, normalizeDomainName } from '../../src/validation/names.js';
import { HostPayload, Nameserver } from '../../schema/host/host.type.js';
import { CreateHostInput, UpdateHostInput } from '../../schema/host/host.input.js';
import { mutate, recordOf, transactionOf } from '../common/mutate.js';

async function readHost(ctx: GatewayContext, registry: string, name: string): Promise<Nameserver | null> {
  const key = { registry, name };
  return (await ctx.loaders.host.clear(key).load(key)) as Nameserver | null;
}

@Resolver(() => Nameserver)
export class HostResolver {
  @Query(() => Nameserver, { nullable: true, description: 'A host object (name server) by name.' })
  async host(
    @Arg('name') rawName: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<HostNode | null> {
    const name = normalizeDomainName('name', rawName);
    const backend = ctx.router.forHost(name, registry ? checkRegistryName('registry', registry) : null);
    return ctx.loaders.host.load({ registry: backend.name, name });
  }

  @Mutation(() => HostPayload)
  async createHost(@Arg('idempotencyKey') key: string, @Arg('input', () => CreateHostInput) input: CreateHostInput, @Ctx() ctx: GatewayContext) {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toHostCreate(input);
    const backend = ctx.router.forHost(args.name, input.registry ? checkRegistryName('input.registry', input.registry) : null, 'input.registry');
    const { result, replayed } = await mutate(ctx, 'createHost', key, { ...args, registry: backend.name }, async (call) =>
      recordOf(await backend.createHost(call, args)),
    );
    return { name: args.name, transaction: transactionOf(result), replayed, host: await readHost(ctx, backend.name, args.name) };
  }

  @Mutation(() => HostPayload)
  async updateHost(@Arg('idempotencyKey') key: string, @Arg('input', () => UpdateHostInput) input: UpdateHostInput, @Ctx() ctx: GatewayContext) {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toHostUpdate(input);
    const backend = ctx.router.forHost(args.name, input.registry ? checkRegistryName('input.registry', input.registry) : null, 'input.registry');
    const { result, replayed } = await mutate(ctx, 'updateHost', key, { ...args, registry: backend.name }, async (call) =>
      recordOf(await backend.updateHost(call, args)),
    );
    const name = args.newName ?? args.name;
    return { name, transaction: transactionOf(result), replayed, host: await readHost(ctx, backend.name, name) };
  }

  @Mutation(() => HostPayload)
  async deleteHost(
    @Arg('idempotencyKey') key: string,
    @Arg('name') rawName: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ) {
    checkIdempotencyKey('idempotencyKey', key);
    const name = normalizeDomainName('name', rawName);
    const backend = ctx.router.forHost(name, registry ? checkRegistryName('registry', registry) : null);
    const { result, replayed } = await mutate(ctx, 'deleteHost', key, { name, registry: backend.name }, async (call) =>
      recordOf(await backend.deleteHost(call, name)),
    );
    return { name, transaction: transactionOf(result), replayed, host: null };
  }
}
