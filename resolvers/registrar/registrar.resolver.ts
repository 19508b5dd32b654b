import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { RegistryPort } from '../../src/core/port.js';
import { Money } from '../../schema/common/common.type.js';
import { RegistryAccountStatus } from '../../schema/registrar/account-status.type.js';
import type { AccountStatus } from '../../src/core/model/index.js';
import { Registrar, RegistryAccount, RegistryCapabilities } from '../../schema/registrar/registrar.type.js';

interface AccountParent extends RegistryAccount {
  backend: RegistryPort;
}

/** The `viewer` query: the registrar the API key belongs to, and its registry accounts. */
@Resolver(() => Registrar)
export class RegistrarResolver {
  @Query(() => Registrar, { description: 'The registrar the API key belongs to.' })
  viewer(@Ctx() ctx: GatewayContext): Omit<Registrar, 'accounts'> {
    return { id: ctx.registrar.id, name: ctx.registrar.name };
  }

  @FieldResolver(() => [RegistryAccount])
  accounts(@Root() r: Registrar, @Ctx() ctx: GatewayContext): AccountParent[] {
    return ctx.router.backends().flatMap((backend) => {
      if (!backend.hasAccount(r.id)) return [];
      const upstreamId = backend.upstreamId(r.id);
      const tlds = ctx.config.routes.filter((x) => x.backend === backend.name).map((x) => x.suffix);
      return [{ registry: backend.name, kind: backend.kind, upstreamId, tlds, backend }];
    });
  }
}

/** RegistryAccount's fields read from the backend: capabilities, account status, balance (null where the backend has none). */
@Resolver(() => RegistryAccount)
export class RegistryAccountResolver {
  @FieldResolver(() => RegistryCapabilities, {
    nullable: true,
    description:
      "What the registry supports for this account (an EPP registry: from the greeting its session received, logging in first if it has none). Null, with that account's error (UPSTREAM_UNAVAILABLE, ...) at its path, when the registry cannot be reached: the other accounts still answer.",
  })
  async capabilities(@Root() a: AccountParent, @Ctx() ctx: GatewayContext) {
    return { registrantInfo: false, ...(await a.backend.capabilities(ctx.call)) };
  }

  /** Read through the request's loader: aliases of `viewer { accounts { status } }` share one GET /status per account. */
  @FieldResolver(() => RegistryAccountStatus, { nullable: true, description: "What the registry says about this account (HeadlessDomains GET /status); null for registries that have no such command." })
  status(@Root() a: AccountParent, @Ctx() ctx: GatewayContext): Promise<AccountStatus | null> {
    return ctx.loaders.accountStatus.load(a.registry);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Prepaid balance, where the registry has one (null otherwise).' })
  async balance(@Root() a: AccountParent, @Ctx() ctx: GatewayContext): Promise<Money | null> {
    if (!(await a.backend.capabilities(ctx.call)).balance) return null;
    return (await a.backend.balance(ctx.call)).data;
  }
}
