import { Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { RegistryPort } from '../../src/core/port.js';
import { Money } from '../../schema/common/common.type.js';
import { Registrar, RegistryAccount, RegistryCapabilities } from '../../schema/registrar/registrar.type.js';

interface AccountParent extends RegistryAccount {
  backend: RegistryPort;
}

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

@Resolver(() => RegistryAccount)
export class RegistryAccountResolver {
  @FieldResolver(() => RegistryCapabilities)
  capabilities(@Root() a: AccountParent, @Ctx() ctx: GatewayContext) {
    return a.backend.capabilities(ctx.call);
  }

  @FieldResolver(() => Money, { nullable: true, description: 'Prepaid balance, where the registry has one (null otherwise).' })
  async balance(@Root() a: AccountParent, @Ctx() ctx: GatewayContext): Promise<Money | null> {
    if (!(await a.backend.capabilities(ctx.call)).balance) return null;
    return (await a.backend.balance(ctx.call)).data;
  }
}
