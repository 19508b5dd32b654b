import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, FieldResolver, Info, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { ObjectNotFoundError, quoted, ValidationError, type DomainReadError } from '../../src/core/errors.js';
import type { DomainNode } from '../../src/loaders/loaders.js';
import type { Domain as DomainModel } from '../../src/core/model/index.js';
import { checkAuthInfo, normalizeDomainName, normalizeDomainNames } from '../../src/validation/names.js';
import { checkPageSize } from '../../src/validation/cursors.js';
import { namingNotFound } from '../../src/core/field-paths.js';
import { checkPeriod } from '../../src/validation/values.js';
import { toDomainCreate, toDomainUpdate } from '../../src/validation/inputs.js';
import { createDomain, createDomainChecks } from '../../src/operations/domain/create-domain.js';
import { deleteDomain } from '../../src/operations/domain/delete-domain.js';
import { namedDomainChecks } from '../../src/operations/domain/named-checks.js';
import { renewDomain, renewDomainChecks } from '../../src/operations/domain/renew-domain.js';
import { restoreDomain } from '../../src/operations/domain/restore-domain.js';
import { updateDomain, updateDomainChecks } from '../../src/operations/domain/update-domain.js';
import { DeleteDomainPayload, Domain, DomainCheck, DomainConnection, DomainPayload, RenewDomainPayload } from '../../schema/domain/domain.type.js';
import { CreateDomainInput, RenewDomainInput, UpdateDomainInput } from '../../schema/domain/domain.input.js';
import { actorOf, asDate, localChecks, parsedArgs, transactionOf, type KeyArg, type MutationChecks, type MutationInputs, type ReadAfter } from '../common/mutate.js';
import { DomainIndex } from '../../src/domains/domain-index.js';
import { parseDomainCursor, readDomainPage } from '../../src/domains/domain-page.js';
import { notYetListed, syncRegistryLists } from '../../src/domains/registry-lists.js';
import { asSeenBy, ownOnly } from '../../src/domains/own-domains.js';
import type { Page } from '../../src/connections/page.js';
import { checkDomainNames } from '../../src/fanout/check-domains.js';

/** A domain mutation's domain read again after its command (a fresh read, not the request's cached one), shown as domain(name) shows it (asSeenBy: were another registrar to sponsor it by then, its name, roid and sponsor). */
async function readDomain(ctx: GatewayContext, registry: string, name: string): Promise<DomainNode | null> {
  const key = { registry, name };
  return asSeenBy(ctx.router, ctx.registrar.id, registry, await ctx.loaders.domain.clear(key).load(key));
}

/** A domain mutation's answer before its `domain` is read: see ReadAfter. */
type DomainPayloadRoot = Omit<DomainPayload, 'domain'> & ReadAfter;

/** A mutation that names one domain (`deleteDomain`, `restoreDomain`): its key, then the name. */
const parseNamed = (a: KeyArg & { name: string }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), name: normalizeDomainName('name', a.name) });

/**
 * The parse step of each domain mutation (its GraphQL arguments -> the operation's arguments,
 * throwing ValidationError naming the field): what its resolver runs first, and what the pre-pass
 * (src/limits/mutation-inputs.ts) runs for every root field before any of them executes.
 */
export const domainMutationInputs = {
  createDomain: (a: KeyArg & { input: CreateDomainInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toDomainCreate(a.input) }),
  renewDomain: (a: KeyArg & { input: RenewDomainInput }, ctx: GatewayContext) => ({
    actor: actorOf(ctx, a.idempotencyKey),
    name: normalizeDomainName('input.name', a.input.name),
    period: checkPeriod('input.period', a.input.period ?? { value: 1, unit: 'y' }),
    currentExpiry: a.input.currentExpiry ?? null,
  }),
  updateDomain: (a: KeyArg & { input: UpdateDomainInput }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), args: toDomainUpdate(a.input) }),
  deleteDomain: parseNamed,
  restoreDomain: parseNamed,
} satisfies MutationInputs;

/** A domain mutation's parse result (domainMutationInputs). */
type Parsed<K extends keyof typeof domainMutationInputs> = Awaited<ReturnType<(typeof domainMutationInputs)[K]>>;

/**
 * The checks of each domain mutation that need no registry (common/mutate.ts MutationChecks): its
 * operation's own checks (routing, account, capabilities fixed by the backend's kind and config),
 * for the pre-pass; each operation makes them again itself.
 */
export const domainMutationChecks = {
  createDomain: localChecks((p: Parsed<'createDomain'>, ctx, caps) => createDomainChecks(ctx.router, p.args, caps)),
  renewDomain: localChecks((p: Parsed<'renewDomain'>, ctx, caps) => renewDomainChecks(ctx.router, p, caps)),
  updateDomain: localChecks((p: Parsed<'updateDomain'>, ctx, caps) => updateDomainChecks(ctx.router, p.args, caps)),
  deleteDomain: localChecks((p: Parsed<'deleteDomain'>, ctx, caps) => namedDomainChecks(ctx.router, p.name, 'name', 'domain:delete', caps)),
  restoreDomain: localChecks((p: Parsed<'restoreDomain'>, ctx, caps) => namedDomainChecks(ctx.router, p.name, 'name', 'domain:restore', caps)),
} satisfies MutationChecks;

/** The domain queries (domain, domains, checkDomains) and mutations (RFC 5731 create, renew, update, delete; RFC 3915 restore), each mutation under its idempotency key. */
@Resolver(() => Domain)
export class DomainResolver {
  @Query(() => Domain, {
    nullable: true,
    description:
      "One domain, or null when the registry has no such domain (with authInfo: OBJECT_NOT_FOUND). A name more than one label below its zone, which no registry can hold, answers so without asking the registry. A domain another registrar sponsors, read without its authInfo, shows its name, roid and sponsor only (lists empty, dates null), on every backend (RFC 5731 section 3.1.2).",
  })
  async domain(
    @Arg('name') rawName: string,
    @Arg('authInfo', () => String, { nullable: true, description: "Needed to read a domain another registrar sponsors, where the registry requires it." }) authInfo: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<DomainNode | null> {
    const name = normalizeDomainName('name', rawName);
    const pw = authInfo != null ? checkAuthInfo('authInfo', authInfo) : null; // "" is a too-short code, not none
    const backend = ctx.router.forReadable(name, 'name');
    if (!backend) {
      // No registry holds such a name: answered as a domain the registry does not have, nothing sent.
      if (pw) throw new ObjectNotFoundError(`name: no domain ${quoted(name)} exists: not registrable (more than one label below its zone)`, { field: 'name' });
      return null;
    }
    // Another registrar's domain, read without its code: name, ROID and sponsor, on every backend (asSeenBy).
    if (!pw) return asSeenBy(ctx.router, ctx.registrar.id, backend.name, await ctx.loaders.domain.load({ registry: backend.name, name }));
    // The registry's "object does not exist" (2303) is about `name`, as the unregistrable name's above.
    const info = await backend.infoDomain(ctx.call, name, pw).catch((e: unknown) => {
      throw namingNotFound(e, [], 'name');
    });
    return { ...info.data, registry: backend.name };
  }

  @Query(() => DomainConnection, {
    description:
      "The viewer's domains, by name: from registries that list a registrar's domains (REPP) their own list, read again for every first page (no `after`) and before a page after a cursor when this instance has not read it for the registrar yet, so names registered elsewhere appear; from the others (EPP) those created or transferred in through the gateway. A domain the registry no longer has, or that another registrar sponsors now, is left out (and dropped from the list). A domain that could not be read (its registry rate-limited, down or timed out) is an edge with its cursor and `node: null`, with an error at `[\"domains\", \"edges\", i, \"node\"]` giving its `extensions.code` and `extensions.domainName`; the other edges answer in full.",
  })
  async domains(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Page<DomainNode | DomainReadError>> {
    checkPageSize('first', first);
    const afterName = after === null || after === undefined ? undefined : parseDomainCursor(after);
    const index = new DomainIndex(ctx.prisma);
    if (afterName === undefined) {
      // Registries that list the registrar's domains with details hand the page's domains over: no info each.
      const prime = (registry: string, d: DomainModel) => void ctx.loaders.domain.prime({ registry, name: d.name }, { ...d, registry });
      await syncRegistryLists(index, ctx.router.backends(), ctx.call, ctx.logger, { keep: first, prime });
    } else {
      // A page after a cursor answers from the index as the last first page left it; a list this
      // instance never read for the registrar (a deep link, a fresh instance) is read first.
      const unread = notYetListed(ctx.router.backends(), ctx.registrar.id);
      if (unread.length > 0) await syncRegistryLists(index, unread, ctx.call, ctx.logger);
    }
    // Each domain answers for itself: a read that failed (its registry rate-limited, down, timed
    // out) is that edge's null node with its error (domain-page.ts), never the whole page's.
    // A domain another registrar sponsors now (transferred away, a registry that lost it) counts
    // as gone: left out and dropped like one the registry no longer has, its data never answered.
    return readDomainPage(index, ctx.registrar.id, first, afterName, async (items) =>
      ownOnly(ctx.router, ctx.registrar.id, items, await ctx.loaders.domain.loadMany(items.map((i) => ({ registry: i.backend, name: i.name })))),
    );
  }

  @Query(() => [DomainCheck], {
    nullable: 'items',
    description:
      "Availability of up to 5,000 names (limits.maxBatch), in the order given. Each registry gets check commands of at most its own limit (EPP: 50 names by default), sent in parallel over the registrar's sessions; a name more than one label below its zone is available: false with reason 'not registrable: ...', not sent; a command the registry refuses as a whole is split until only the names at fault are null, each with the registry's error at its path (a failure without the registry's refusal, such as no answer, makes the command's names null).",
  })
  async checkDomains(@Arg('names', () => [String]) rawNames: string[], @Ctx() ctx: GatewayContext): Promise<Array<DomainCheck | Error>> {
    if (rawNames.length === 0) throw new ValidationError('names', 'give at least one name');
    if (rawNames.length > ctx.config.limits.maxBatch) throw new ValidationError('names', `at most ${ctx.config.limits.maxBatch} names`);
    // Aliases over one list (one variable) share its normalisation (src/validation/list-parses.ts); the copy is this field's own.
    const names = (await ctx.lists.once('checkDomains names[i]', rawNames, () => normalizeDomainNames(rawNames, (i) => `names[${i}]`))).slice();
    return checkDomainNames(ctx.router, ctx.call, names, 'names', { splitCommands: ctx.config.limits.checkSplitCommands, lists: ctx.lists });
  }

  @Mutation(() => DomainPayload, { nullable: true })
  async createDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => CreateDomainInput) input: CreateDomainInput,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<DomainPayloadRoot> {
    const { actor, args } = parsedArgs(ctx, info, domainMutationInputs.createDomain, { idempotencyKey: key, input });
    const { registry, result, replayed } = await createDomain(ctx, actor, args);
    return { name: result.name, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => RenewDomainPayload, { nullable: true, description: 'Renew; the current expiry date is always sent, so a resent renew cannot apply twice.' })
  async renewDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => RenewDomainInput) input: RenewDomainInput,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<Omit<RenewDomainPayload, 'domain'> & ReadAfter> {
    const { actor, ...args } = parsedArgs(ctx, info, domainMutationInputs.renewDomain, { idempotencyKey: key, input });
    const name = args.name;
    const { registry, result, replayed } = await renewDomain(ctx, actor, args);
    return {
      name,
      expiresAt: asDate(result.expiresAt)!,
      transaction: transactionOf(result),
      replayed,
      readFrom: registry,
    };
  }

  @Mutation(() => DomainPayload, { nullable: true })
  async updateDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => UpdateDomainInput) input: UpdateDomainInput,
    @Ctx() ctx: GatewayContext,
    @Info() info: GraphQLResolveInfo,
  ): Promise<DomainPayloadRoot> {
    const { actor, args } = parsedArgs(ctx, info, domainMutationInputs.updateDomain, { idempotencyKey: key, input });
    const { registry, result, replayed } = await updateDomain(ctx, actor, args);
    return { name: result.name, transaction: transactionOf(result), replayed, readFrom: registry };
  }

  @Mutation(() => DeleteDomainPayload, { nullable: true })
  async deleteDomain(@Arg('idempotencyKey') key: string, @Arg('name') rawName: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<Omit<DeleteDomainPayload, 'domain'> & ReadAfter> {
    const { actor, name } = parsedArgs(ctx, info, domainMutationInputs.deleteDomain, { idempotencyKey: key, name: rawName });
    const { registry, result, replayed } = await deleteDomain(ctx, actor, name);
    // Gone at once: nothing to read. Marked for deletion (redemption): read as it stands now.
    return { name, pending: Boolean(result.pending), transaction: transactionOf(result), replayed, readFrom: result.pending ? registry : null };
  }

  @Mutation(() => DomainPayload, { nullable: true, description: 'Restore a domain in its redemption period (RFC 3915 restore request).' })
  async restoreDomain(@Arg('idempotencyKey') key: string, @Arg('name') rawName: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo): Promise<DomainPayloadRoot> {
    const { actor, name } = parsedArgs(ctx, info, domainMutationInputs.restoreDomain, { idempotencyKey: key, name: rawName });
    const { registry, result, replayed } = await restoreDomain(ctx, actor, name);
    return { name, transaction: transactionOf(result), replayed, readFrom: registry };
  }
}

/** `domain` of every domain mutation's payload (RenewDomainPayload and DeleteDomainPayload extend DomainPayload). */
@Resolver(() => DomainPayload)
export class DomainPayloadResolver {
  @FieldResolver(() => Domain, { nullable: true, description: 'The domain as the registry holds it now: read after the command, only when selected (null once deleted).' })
  domain(@Root() p: DomainPayloadRoot, @Ctx() ctx: GatewayContext): Promise<DomainNode | null> | null {
    return p.readFrom ? readDomain(ctx, p.readFrom, p.name) : null;
  }
}
