import { Arg, Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { DomainNode } from '../../src/loaders/loaders.js';
import { Contact } from '../../schema/contact/contact.type.js';
import { DnssecKey } from '../../schema/domain/dnssec.type.js';
import { Domain, DomainContact } from '../../schema/domain/domain.type.js';
import { Nameserver } from '../../schema/host/host.type.js';
import { Transfer } from '../../schema/transfer/transfer.type.js';
import { latestTransfer, transferNode } from '../transfer/transfer.map.js';
import { checkAuthInfo } from '../../src/validation/names.js';
import { toUnicode } from '../../src/validation/unicode.js';

/** Nameserver parent: the name the domain refers to, plus addresses when it was a host attribute. */
export interface NameserverRef {
  name: string;
  registry: string;
  inline?: { ipv4: string[]; ipv6: string[] };
  /** The registry has no host objects (REPP): the name server is only this attribute of the domain. */
  attribute?: boolean;
}

type DomainContactRef = { role: string; id: string; registry: string };

/** Domain's computed fields: unicodeName (U-labels), sponsoredByViewer, and the objects it refers to (registrant, contacts, name servers, DNSSEC keys, transfer), read through the request's loaders. */
@Resolver(() => Domain)
export class DomainFieldsResolver {
  @FieldResolver(() => String)
  unicodeName(@Root() d: DomainNode): string {
    return toUnicode(d.name);
  }

  @FieldResolver(() => String, {
    nullable: true,
    description: 'Transfer authorisation code: only ever returned to the sponsoring registrar.',
  })
  async authInfo(@Root() d: DomainNode, @Ctx() ctx: GatewayContext): Promise<string | null> {
    const backend = ctx.router.named(d.registry);
    return backend.hasAccount(ctx.registrar.id) && d.sponsor === backend.upstreamId(ctx.registrar.id) ? (d.authInfo ?? null) : null;
  }

  @FieldResolver(() => Boolean, { description: "True when the viewer's registrar sponsors the domain." })
  sponsoredByViewer(@Root() d: DomainNode, @Ctx() ctx: GatewayContext): boolean {
    const backend = ctx.router.named(d.registry);
    return backend.hasAccount(ctx.registrar.id) && d.sponsor === backend.upstreamId(ctx.registrar.id);
  }

  @FieldResolver(() => Contact, { nullable: true })
  async registrant(@Root() d: DomainNode, @Ctx() ctx: GatewayContext) {
    return d.registrant ? ctx.loaders.contact.load({ registry: d.registry, name: d.registrant }) : null;
  }

  @FieldResolver(() => [DomainContact])
  contacts(@Root() d: DomainNode): DomainContactRef[] {
    return d.contacts.map((c) => ({ ...c, registry: d.registry }));
  }

  @FieldResolver(() => [Nameserver])
  async nameservers(@Root() d: DomainNode, @Ctx() ctx: GatewayContext): Promise<NameserverRef[]> {
    const attribute = d.nameservers.length > 0 && !(await ctx.router.named(d.registry).capabilities(ctx.call)).hostObjects;
    return d.nameservers.map((ns) => ({
      name: ns.name,
      registry: d.registry,
      inline: attribute || ns.ipv4.length || ns.ipv6.length ? { ipv4: ns.ipv4, ipv6: ns.ipv6 } : undefined,
      attribute,
    }));
  }

  @FieldResolver(() => [DnssecKey], { description: 'DS records and/or DNSKEYs registered for the domain.' })
  dnssecKeys(@Root() d: DomainNode): DnssecKey[] {
    return [
      ...d.dnssec.dsData.map((ds) => ({
        keyTag: ds.keyTag,
        algorithm: ds.algorithm,
        digestType: ds.digestType,
        digest: ds.digest,
        flags: ds.keyData?.flags ?? null,
        protocol: ds.keyData?.protocol ?? null,
        publicKey: ds.keyData?.publicKey ?? null,
      })),
      ...d.dnssec.keyData.map((k) => ({ algorithm: k.algorithm, flags: k.flags, protocol: k.protocol, publicKey: k.publicKey })),
    ];
  }

  @FieldResolver(() => Transfer, { nullable: true, description: 'The latest transfer, if the domain has been in one. REPP and Joker keep no transfer history: a domain the viewer sponsors shows serverApproved with losingRegistrar empty, transferred in or not (README, Backends).' })
  async transfer(
    @Root() d: DomainNode,
    @Ctx() ctx: GatewayContext,
    @Arg('authInfo', () => String, { nullable: true }) authInfo?: string | null,
  ) {
    const pw = authInfo != null ? checkAuthInfo('authInfo', authInfo) : null; // "" is a too-short code, not none
    // A domain read that carries its transfer (HeadlessDomains, Joker) needs no transfer query.
    if (!pw && d.transfer !== undefined) return d.transfer ? transferNode(d.transfer) : null;
    return latestTransfer(ctx, d.registry, d.name, pw);
  }
}

/** DomainContact.contact: the contact object through the request's loader (null when the registry has none by that id). */
@Resolver(() => DomainContact)
export class DomainContactResolver {
  @FieldResolver(() => Contact, { nullable: true, description: 'The contact object (null when it no longer exists).' })
  contact(@Root() c: DomainContactRef, @Ctx() ctx: GatewayContext) {
    return ctx.loaders.contact.load({ registry: c.registry, name: c.id });
  }
}
