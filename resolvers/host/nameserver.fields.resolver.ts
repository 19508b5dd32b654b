import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { HostNode } from '../../src/loaders/loaders.js';
import { Nameserver } from '../../schema/host/host.type.js';
import { canonicalIpv6 } from '../../src/validation/addresses.js';
import type { NameserverRef } from '../domain/domain.fields.resolver.js';

type Parent = HostNode | NameserverRef;

/**
 * A Nameserver is either a full host object (host query, host mutations) or a name a domain
 * refers to. For the latter, the host object is fetched only when a field needs it, through the
 * request's host loader, so a page of domains sharing name servers costs one info per host.
 */
async function hostOf(p: Parent, ctx: GatewayContext): Promise<HostNode | null> {
  if ('ipv4' in p) return p;
  if (p.attribute) return null; // no host object at this registry: statuses, sponsor and dates are null
  return ctx.loaders.host.load({ registry: p.registry, name: p.name });
}

/** Nameserver's fields beyond the name: from the domain's host attribute when it carries them, else one host info (RFC 5732) through the request's loader. */
@Resolver(() => Nameserver)
export class NameserverFieldsResolver {
  @FieldResolver(() => [String])
  async ipv4(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<string[]> {
    if ('inline' in p && p.inline) return p.inline.ipv4;
    return (await hostOf(p, ctx))?.ipv4 ?? [];
  }

  @FieldResolver(() => [String])
  async ipv6(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<string[]> {
    const listed = 'inline' in p && p.inline ? p.inline.ipv6 : ((await hostOf(p, ctx))?.ipv6 ?? []);
    return listed.map(canonicalIpv6); // answered in RFC 5952 form, as the README's rules say
  }

  @FieldResolver(() => [String])
  async statuses(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<string[]> {
    return (await hostOf(p, ctx))?.statuses ?? [];
  }

  @FieldResolver(() => String, { nullable: true })
  async sponsor(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<string | null> {
    return (await hostOf(p, ctx))?.sponsor ?? null;
  }

  @FieldResolver(() => Date, { nullable: true })
  async createdAt(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<Date | null> {
    return (await hostOf(p, ctx))?.createdAt ?? null;
  }

  @FieldResolver(() => Date, { nullable: true })
  async updatedAt(@Root() p: Parent, @Ctx() ctx: GatewayContext): Promise<Date | null> {
    return (await hostOf(p, ctx))?.updatedAt ?? null;
  }
}
