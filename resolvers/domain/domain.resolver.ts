import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { ValidationError } from '../../src/core/errors.js';
import type { DomainNode } from '../../src/loaders/loaders.js';
import type { Domain as DomainModel } from '../../src/core/model/index.js';
import { checkAuthInfo, checkIdempotencyKey, normalizeDomainName } from '../../src/validation/names.js';
import { checkPageSize } from '../../src/validation/cursors.js';
import { checkPeriod, checkPeriodUnit } from '../../src/validation/values.js';
import { requireCreateSupport, requireUpdateSupport, toDomainCreate, toDomainUpdate } from '../../src/validation/inputs.js';
import { DeleteDomainPayload, Domain, DomainCheck, DomainConnection, DomainPayload, RenewDomainPayload } from '../../schema/domain/domain.type.js';
import { CreateDomainInput, RenewDomainInput, UpdateDomainInput } from '../../schema/domain/domain.input.js';
import { asDate, mutate, recordOf, transactionOf } from '../common/mutate.js';
import { DomainIndex } from '../../src/domains/domain-index.js';
import { parseDomainCursor, readDomainPage } from '../../src/domains/domain-page.js';
import { syncRegistryLists } from '../../src/domains/registry-lists.js';
import type { Page } from '../../src/connections/page.js';
import { checkDomainNames } from '../../src/fanout/check-domains.js';

async function readDomain(ctx: GatewayContext, registry: string, name: string): Promise<DomainNode | null> {
  const key = { registry, name };
  return ctx.loaders.domain.clear(key).load(key);
}

@Resolver(() => Domain)
export class DomainResolver {
  @Query(() => Domain, { nullable: true, description: 'One domain, or null when the registry has no such domain.' })
  async domain(
    @Arg('name') rawName: string,
    @Arg('authInfo', () => String, { nullable: true, description: "Needed to read a domain another registrar sponsors, where the registry requires it." }) authInfo: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<DomainNode | null> {
    const name = normalizeDomainName('name', rawName);
    const pw = authInfo ? checkAuthInfo('authInfo', authInfo) : null;
    const backend = ctx.router.forDomain(name, 'name');
    if (!pw) return ctx.loaders.domain.load({ registry: backend.name, name });
    return { ...(await backend.infoDomain(ctx.call, name, pw)).data, registry: backend.name };
  }

  @Query(() => DomainConnection, {
    description:
      "The viewer's domains, by name: from registries that list a registrar's domains (REPP) their own list, read again for every first page (no `after`), so names registered elsewhere appear; from the others (EPP) those created or transferred in through the gateway.",
  })
  async domains(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Ctx() ctx: GatewayContext,
  ): Promise<Page<DomainNode>> {
    checkPageSize('first', first);
    const afterName = after === null || after === undefined ? undefined : parseDomainCursor(after);
    const index = new DomainIndex(ctx.prisma);
    if (afterName === undefined) {
      // Registries that list the registrar's domains with details hand the page's domains over: no info each.
      const prime = (registry: string, d: DomainModel) => void ctx.loaders.domain.prime({ registry, name: d.name }, { ...d, registry });
      await syncRegistryLists(index, ctx.router.backends(), ctx.call, ctx.logger, { keep: first, prime });
    }
    const page = await readDomainPage(index, ctx.registrar.id, first, afterName, (items) =>
      Promise.all(items.map((i) => ctx.loaders.domain.load({ registry: i.backend, name: i.name }))),
    );
    return page;
  }

  @Query(() => [DomainCheck], {
    nullable: 'items',
    description:
      "Availability of up to 5,000 names (limits.maxBatch), in the order given. Each registry gets check commands of at most its own limit (EPP: 50 names by default), sent in parallel over the registrar's sessions; a command the registry refuses makes only its own names null, each with that error at its path.",
  })
  async checkDomains(@Arg('names', () => [String]) rawNames: string[], @Ctx() ctx: GatewayContext): Promise<Array<DomainCheck | Error>> {
    if (rawNames.length === 0) throw new ValidationError('names', 'give at least one name');
    if (rawNames.length > ctx.config.limits.maxBatch) throw new ValidationError('names', `at most ${ctx.config.limits.maxBatch} names`);
    const names = rawNames.map((n, i) => normalizeDomainName(`names[${i}]`, n));
    return checkDomainNames(ctx.router, ctx.call, names);
  }

  @Mutation(() => DomainPayload)
  async createDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => CreateDomainInput) input: CreateDomainInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<DomainPayload> {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toDomainCreate(input);
    const name = args.name;
    const backend = ctx.router.forDomain(name, 'input.name');
    requireCreateSupport(args, backend.name, await backend.capabilities(ctx.call));
    const { result, replayed } = await mutate(ctx, 'createDomain', key, args, async (call) => {
      const r = await backend.createDomain(call, args);
      await new DomainIndex(ctx.prisma).add(ctx.registrar.id, name, backend.name);
      return { ...recordOf(r), name };
    });
    return { name, transaction: transactionOf(result), replayed, domain: (await readDomain(ctx, backend.name, name)) as unknown as Domain };
  }

  @Mutation(() => RenewDomainPayload, { description: 'Renew; the current expiry date is always sent, so a resent renew cannot apply twice.' })
  async renewDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => RenewDomainInput) input: RenewDomainInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<RenewDomainPayload> {
    checkIdempotencyKey('idempotencyKey', key);
    const name = normalizeDomainName('input.name', input.name);
    const period = checkPeriod('input.period', input.period ?? { value: 1, unit: 'y' });
    const backend = ctx.router.forDomain(name, 'input.name');
    checkPeriodUnit('input.period', period, (await backend.capabilities(ctx.call)).periodUnits);
    const { result, replayed } = await mutate(ctx, 'renewDomain', key, { name, period, currentExpiry: input.currentExpiry ?? null }, async (call, attempt) => {
      let currentExpiry = input.currentExpiry ?? null;
      if (!currentExpiry) {
        const info = await backend.infoDomain(call, name);
        currentExpiry = info.data.expiresAt ?? null;
        if (!currentExpiry) throw new ValidationError('input.currentExpiry', 'the registry gave no expiry date; pass currentExpiry');
      }
      await attempt.note({ currentExpiry }); // what reconciliation compares the expiry with if the answer is lost
      const r = await backend.renewDomain(call, { name, period, currentExpiry });
      return { ...recordOf(r), name, expiresAt: r.data.expiresAt.toISOString() };
    });
    return {
      name,
      expiresAt: asDate(result.expiresAt)!,
      transaction: transactionOf(result),
      replayed,
      domain: (await readDomain(ctx, backend.name, name)) as unknown as Domain,
    };
  }

  @Mutation(() => DomainPayload)
  async updateDomain(
    @Arg('idempotencyKey') key: string,
    @Arg('input', () => UpdateDomainInput) input: UpdateDomainInput,
    @Ctx() ctx: GatewayContext,
  ): Promise<DomainPayload> {
    checkIdempotencyKey('idempotencyKey', key);
    const args = toDomainUpdate(input);
    const name = args.name;
    const backend = ctx.router.forDomain(name, 'input.name');
    requireUpdateSupport(args, backend.name, await backend.capabilities(ctx.call));
    const { result, replayed } = await mutate(ctx, 'updateDomain', key, args, async (call) => ({
      ...recordOf(await backend.updateDomain(call, args)),
      name,
    }));
    return { name, transaction: transactionOf(result), replayed, domain: (await readDomain(ctx, backend.name, name)) as unknown as Domain };
  }

  @Mutation(() => DeleteDomainPayload)
  async deleteDomain(@Arg('idempotencyKey') key: string, @Arg('name') rawName: string, @Ctx() ctx: GatewayContext): Promise<DeleteDomainPayload> {
    checkIdempotencyKey('idempotencyKey', key);
    const name = normalizeDomainName('name', rawName);
    const backend = ctx.router.forDomain(name, 'name');
    const { result, replayed } = await mutate(ctx, 'deleteDomain', key, { name }, async (call) => {
      const r = await backend.deleteDomain(call, name);
      if (!r.data.pending) await new DomainIndex(ctx.prisma).remove(ctx.registrar.id, name);
      return { ...recordOf(r), name, pending: r.data.pending };
    });
    const domain = result.pending ? await readDomain(ctx, backend.name, name) : null;
    return { name, pending: Boolean(result.pending), transaction: transactionOf(result), replayed, domain: domain as unknown as Domain };
  }

  @Mutation(() => DomainPayload, { description: 'Restore a domain in its redemption period (RFC 3915 restore request).' })
  async restoreDomain(@Arg('idempotencyKey') key: string, @Arg('name') rawName: string, @Ctx() ctx: GatewayContext): Promise<DomainPayload> {
    checkIdempotencyKey('idempotencyKey', key);
    const name = normalizeDomainName('name', rawName);
    const backend = ctx.router.forDomain(name, 'name');
    const { result, replayed } = await mutate(ctx, 'restoreDomain', key, { name }, async (call) => ({
      ...recordOf(await backend.restoreDomain(call, name)),
      name,
    }));
    return { name, transaction: transactionOf(result), replayed, domain: (await readDomain(ctx, backend.name, name)) as unknown as Domain };
  }
}
