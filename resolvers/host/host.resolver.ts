import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { HostNode } from '../../src/loaders/loaders.js';
import { toHostCreate, toHostUpdate } from '../../src/validation/inputs.js';
import { checkRegistryName, normalizeDomainName } from '../../src/validation/names.js';
import { createHost } from '../../src/operations/host/create-host.js';
import { deleteHost } from '../../src/operations/host/delete-host.js';
import { updateHost } from '../../src/operations/host/update-host.js';
import { hostChecks } from '../../src/operations/host/host-checks.js';
import { HostPayload, Nameserver } from '../../schema/host/host.type.js';
import { CreateHostInput, UpdateHostInput } from '../../schema/host/host.input.js';
import { actorOf, localChecks, parsedArgs, transactionOf, type KeyArg, type MutationChecks, type MutationInputs, type ReadAfter } from '../common/mutate.js';

/** A `registry` argument: null when left out; given (even "", refused), a registry name checked as checkRegistryName says. */
const registryArg = (field: string, registry: string | null | undefined) => (registry != null ? checkRegistryName(field, registry) : null);

async function readHost(ctx: GatewayContext, registry: string, name: string): Promise<Nameserver | null> {
  const key = { registry, name };
  return (await ctx.loaders.host.clear(key).load(key)) as Nameserver | null;
}

/** A host mutation's answer before its `host` is read: see ReadAfter. */
type HostPayloadRoot = Omit<HostPayload, 'host'> & ReadAfter;

/** The parse step of each host mutation (common/mutate.ts MutationInputs): its resolver's first step, and the pre-pass's. */
export const hostMutationInputs = {
  createHost: (a: KeyArg & { input: CreateHostInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toHostCreate(a.input), registry: registryArg('input.registry', a.input.registry) }),
  updateHost: (a: KeyArg & { input: UpdateHostInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toHostUpdate(a.input), registry: registryArg('input.registry', a.input.registry) }),
  deleteHost: (a: KeyArg & { name: string; registry?: string | null }, ctx: GatewayContext) => ({
    actor: actorOf(ctx, a.idempotencyKey),
    name: normalizeDomainName('name', a.name),
    registry: registryArg('registry', a.registry),
  }),
} satisfies MutationInputs;

/** A host mutation's parse result (hostMutationInputs). */
type Parsed<K extends keyof typeof hostMutationInputs> = ReturnType<(typeof hostMutationInputs)[K]>;

/** The checks of each host mutation that need no registry (common/mutate.ts MutationChecks): hostChecks, as its operation runs it. */
export const hostMutationChecks = {
  createHost: localChecks((p: Parsed<'createHost'>, ctx, caps) => hostChecks(ctx.router, p.args.name, p.registry, 'input.registry', 'host:create', caps, { command: 'host:create', input: p.args })),
  updateHost: localChecks((p: Parsed<'updateHost'>, ctx, caps) => hostChecks(ctx.router, p.args.name, p.registry, 'input.registry', 'host:update', caps, { command: 'host:update', input: p.args })),
  deleteHost: localChecks((p: Parsed<'deleteHost'>, ctx, caps) => hostChecks(ctx.router, p.name, p.registry, 'registry', 'host:delete', caps)),
} satisfies MutationChecks;

/** The `host` query and the host mutations (RFC 5732 info, create, update, delete), each mutation under its idempotency key. */
@Resolver(() => Nameserver)
export class HostResolver {
  @Query(() => Nameserver, { nullable: true, description: 'A host object (name server) by name.' })
  async host(
    @Arg('name') rawName: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<HostNode | null> {
    const name = normalizeDomainName('name', rawName);
    const backend = ctx.router.forHost(name, registryArg('registry', registry));
    return ctx.loaders.host.load({ registry: backend.name, name });
  }

  @Mutation(() => HostPayload, { nullable: true })
  async createHost(@Arg('idempotencyKey') key: string, @Arg('input', () => CreateHostInput) input: CreateHostInput, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<HostPayloadRoot> {
    const { actor, args, registry: at } = parsedArgs(ctx, info, hostMutationInputs.createHost, { idempotencyKey: key, input });
    const { registry, result, replayed } = await createHost(ctx, actor, args, at);
    return { name: args.name, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => HostPayload, { nullable: true })
  async updateHost(@Arg('idempotencyKey') key: string, @Arg('input', () => UpdateHostInput) input: UpdateHostInput, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<HostPayloadRoot> {
    const { actor, args, registry: at } = parsedArgs(ctx, info, hostMutationInputs.updateHost, { idempotencyKey: key, input });
    const { registry, result, replayed } = await updateHost(ctx, actor, args, at);
    const name = args.newName ?? args.name;
    return { name, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => HostPayload, { nullable: true })
  async deleteHost(
    @Arg('idempotencyKey') key: string,
    @Arg('name') rawName: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<HostPayloadRoot> {
    const { actor, name, registry: at } = parsedArgs(ctx, info, hostMutationInputs.deleteHost, { idempotencyKey: key, name: rawName, registry });
    const { result, replayed } = await deleteHost(ctx, actor, name, at);
    return { name, transaction: transactionOf(result), replayed, readFrom: null };
  }
}

/** `host` of a host mutation's payload. */
@Resolver(() => HostPayload)
export class HostPayloadResolver {
  @FieldResolver(() => Nameserver, { nullable: true, description: 'The host as the registry holds it now: read after the command, only when selected (null once deleted).' })
  host(@Root() p: HostPayloadRoot, @Ctx() ctx: GatewayContext): Promise<Nameserver | null> | null {
    return p.readFrom ? readHost(ctx, p.readFrom, p.name) : null;
  }
}
