import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { ContactNode } from '../../src/loaders/loaders.js';
import { toContactCreate, toContactUpdate } from '../../src/validation/contact.js';
import { checkObjectId, checkRegistryName } from '../../src/validation/names.js';
import { contactBackend } from '../../src/operations/contact/contact-backend.js';
import { createContact } from '../../src/operations/contact/create-contact.js';
import { deleteContact } from '../../src/operations/contact/delete-contact.js';
import { updateContact } from '../../src/operations/contact/update-contact.js';
import { Contact, ContactPayload } from '../../schema/contact/contact.type.js';
import { CreateContactInput, UpdateContactInput } from '../../schema/contact/contact.input.js';
import { actorOf, localChecks, parsedArgs, transactionOf, type KeyArg, type MutationChecks, type MutationInputs, type ReadAfter } from '../common/mutate.js';

async function readContact(ctx: GatewayContext, registry: string, id: string) {
  const key = { registry, name: id };
  return ctx.loaders.contact.clear(key).load(key);
}

/** A `registry` argument: null when left out; given (even "", refused), a registry name checked as checkRegistryName says. */
const registryArg = (field: string, registry: string | null | undefined) => (registry != null ? checkRegistryName(field, registry) : null);

/** A contact mutation's answer before its `contact` is read: see ReadAfter. */
type ContactPayloadRoot = Omit<ContactPayload, 'contact'> & ReadAfter;

/** The parse step of each contact mutation (common/mutate.ts MutationInputs): its resolver's first step, and the pre-pass's. */
export const contactMutationInputs = {
  createContact: (a: KeyArg & { input: CreateContactInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toContactCreate(a.input), registry: registryArg('input.registry', a.input.registry) }),
  updateContact: (a: KeyArg & { input: UpdateContactInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toContactUpdate(a.input), registry: registryArg('input.registry', a.input.registry) }),
  deleteContact: (a: KeyArg & { id: string; registry?: string | null }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), id: checkObjectId('id', a.id), registry: registryArg('registry', a.registry) }),
} satisfies MutationInputs;

/** A contact mutation's parse result (contactMutationInputs). */
type Parsed<K extends keyof typeof contactMutationInputs> = ReturnType<(typeof contactMutationInputs)[K]>;

/** The checks of each contact mutation that need no registry (common/mutate.ts MutationChecks): contactBackend, as its operation runs it (with the arguments the backend's kind may refuse), with what is known locally. */
export const contactMutationChecks = {
  createContact: localChecks((p: Parsed<'createContact'>, ctx, caps) => contactBackend(ctx.router, p.actor.registrarId, p.registry, 'input.registry', caps, { command: 'contact:create', input: p.args })),
  updateContact: localChecks((p: Parsed<'updateContact'>, ctx, caps) => contactBackend(ctx.router, p.actor.registrarId, p.registry, 'input.registry', caps, { command: 'contact:update', input: p.args })),
  deleteContact: localChecks((p: Parsed<'deleteContact'>, ctx, caps) => contactBackend(ctx.router, p.actor.registrarId, p.registry, 'registry', caps)),
} satisfies MutationChecks;

/** The `contact` query and the contact mutations (RFC 5733 info, create, update, delete), each mutation under its idempotency key. */
@Resolver(() => Contact)
export class ContactResolver {
  @Query(() => Contact, { nullable: true, description: 'A contact object by id, or null when the registry has none or another registrar sponsors it (on every backend: its data is that registrar\'s customer\'s; RFC 5733 section 3.1.2).' })
  async contact(
    @Arg('id') rawId: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactNode | null> {
    const id = checkObjectId('id', rawId);
    const backend = await contactBackend(ctx.router, ctx.registrar.id, registry, 'registry');
    return ctx.loaders.contact.load({ registry: backend.name, name: id });
  }

  @FieldResolver(() => String, { nullable: true, description: 'Only ever returned to the sponsoring registrar.' })
  authInfo(@Root() c: ContactNode, @Ctx() ctx: GatewayContext): string | null {
    const backend = ctx.router.named(c.registry);
    return backend.hasAccount(ctx.registrar.id) && c.sponsor === backend.upstreamId(ctx.registrar.id) ? (c.authInfo ?? null) : null;
  }

  @Mutation(() => ContactPayload, { nullable: true })
  async createContact(@Arg('idempotencyKey') key: string, @Arg('input', () => CreateContactInput) input: CreateContactInput, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<ContactPayloadRoot> {
    const { actor, args, registry: at } = parsedArgs(ctx, info, contactMutationInputs.createContact, { idempotencyKey: key, input });
    const { registry, result, replayed } = await createContact(ctx, actor, args, at);
    return { id: result.id, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => ContactPayload, { nullable: true })
  async updateContact(@Arg('idempotencyKey') key: string, @Arg('input', () => UpdateContactInput) input: UpdateContactInput, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<ContactPayloadRoot> {
    const { actor, args, registry: at } = parsedArgs(ctx, info, contactMutationInputs.updateContact, { idempotencyKey: key, input });
    const { registry, result, replayed } = await updateContact(ctx, actor, args, at);
    return { id: args.id, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => ContactPayload, { nullable: true })
  async deleteContact(
    @Arg('idempotencyKey') key: string,
    @Arg('id') rawId: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<ContactPayloadRoot> {
    const { actor, id, registry: at } = parsedArgs(ctx, info, contactMutationInputs.deleteContact, { idempotencyKey: key, id: rawId, registry });
    const { result, replayed } = await deleteContact(ctx, actor, id, at);
    return { id, transaction: transactionOf(result), replayed, readFrom: null };
  }
}

/** `contact` of a contact mutation's payload. */
@Resolver(() => ContactPayload)
export class ContactPayloadResolver {
  @FieldResolver(() => Contact, { nullable: true, description: 'The contact as the registry holds it now: read after the command, only when selected (null once deleted).' })
  contact(@Root() p: ContactPayloadRoot, @Ctx() ctx: GatewayContext): Promise<ContactNode | null> | null {
    return p.readFrom ? readContact(ctx, p.readFrom, p.id) : null;
  }
}
