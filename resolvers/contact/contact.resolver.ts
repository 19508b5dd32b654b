import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { UnsupportedByBackendError } from '../../src/core/errors.js';
import type { RegistryPort } from '../../src/core/port.js';
import type { ContactNode } from '../../src/loaders/loaders.js';
import { toContactCreate, toContactUpdate } from '../../src/validation/contact.js';
import { checkIdempotencyKey, checkObjectId, checkRegistryName } from '../../src/validation/names.js';
import { Contact, ContactPayload } from '../../schema/contact/contact.type.js';
import { CreateContactInput, UpdateContactInput } from '../../schema/contact/contact.input.js';
import { mutate, recordOf, transactionOf } from '../common/mutate.js';

/** The backend a contact lives at (`registry`, else the default), if it has contact objects. */
async function contactBackend(ctx: GatewayContext, registry: string | null | undefined, field: string): Promise<RegistryPort> {
  const backend = ctx.router.forContact(registry ? checkRegistryName(field, registry) : null, field);
  if (!(await backend.capabilities(ctx.call)).contacts) throw new UnsupportedByBackendError(backend.name, 'contact objects');
  return backend;
}

async function readContact(ctx: GatewayContext, registry: string, id: string) {
  const key = { registry, name: id };
  return ctx.loaders.contact.clear(key).load(key);
}

@Resolver(() => Contact)
export class ContactResolver {
  @Query(() => Contact, { nullable: true })
  async contact(
    @Arg('id') rawId: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<ContactNode | null> {
    const id = checkObjectId('id', rawId);
    const backend = await contactBackend(ctx, registry, 'registry');
    return ctx.loaders.contact.load({ registry: backend.name, name: id });
  }

  @FieldResolver(() => String, { nullable: true, description: 'Only ever returned to the sponsoring registrar.' })
  authInfo(@Root() c: ContactNode, @Ctx() ctx: GatewayContext): string | null {
    const backend = ctx.router.named(c.registry);
    return backend.hasAccount(ctx.registrar.id) && c.sponsor === backend.upstreamId(ctx.registrar.id) ? (c.authInfo ?? null) : null;
  }

  @Mutation(() => ContactPayload)
  async createContact(@Arg('idempotencyKey') key: string, @Arg('input', () => CreateContactInput) input: CreateContactInput, @Ctx() ctx: GatewayContext) {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toContactCreate(input);
    const backend = await contactBackend(ctx, input.registry, 'input.registry');
    const { result, replayed } = await mutate(ctx, 'createContact', key, { ...args, registry: backend.name }, async (call) => {
      const r = await backend.createContact(call, args);
      return { ...recordOf(r), id: r.data.id }; // the registry's id where it assigns one
    });
    const id = (result as { id?: string }).id ?? args.id!;
    return { id, transaction: transactionOf(result), replayed, contact: await readContact(ctx, backend.name, id) };
  }

  @Mutation(() => ContactPayload)
  async updateContact(@Arg('idempotencyKey') key: string, @Arg('input', () => UpdateContactInput) input: UpdateContactInput, @Ctx() ctx: GatewayContext) {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toContactUpdate(input);
    const backend = await contactBackend(ctx, input.registry, 'input.registry');
    const { result, replayed } = await mutate(ctx, 'updateContact', key, { ...args, registry: backend.name }, async (call) =>
      recordOf(await backend.updateContact(call, args)),
    );
    return { id: args.id, transaction: transactionOf(result), replayed, contact: await readContact(ctx, backend.name, args.id) };
  }

  @Mutation(() => ContactPayload)
  async deleteContact(
    @Arg('idempotencyKey') key: string,
    @Arg('id') rawId: string,
    @Arg('registry', () => String, { nullable: true }) registry: string | null,
    @Ctx() ctx: GatewayContext,
  ) {
    checkIdempotencyKey('idempotencyKey', key);
    const id = checkObjectId('id', rawId);
    const backend = await contactBackend(ctx, registry, 'registry');
    const { result, replayed } = await mutate(ctx, 'deleteContact', key, { id, registry: backend.name }, async (call) =>
      recordOf(await backend.deleteContact(call, id)),
    );
    return { id, transaction: transactionOf(result), replayed, contact: null };
  }
}
