import { FieldResolver, Resolver, Root } from 'type-graphql';
import type { DomainNode } from '../../src/loaders/loaders.js';
import { Domain } from '../../schema/domain/domain.type.js';
import { Nameserver } from '../../schema/host/host.type.js';
import type { NameserverRef } from './domain.fields.resolver.js';

/** Domain fields of registries that apply changes later (HeadlessDomains "pending backend apply"). */
@Resolver(() => Domain)
export class DomainApplyResolver {
  @FieldResolver(() => [Nameserver], {
    nullable: true,
    description: 'The name servers the registry backend has applied; `nameservers` is the desired set. Null where changes apply at once.',
  })
  appliedNameservers(@Root() d: DomainNode): NameserverRef[] | null {
    return d.appliedNameservers ? d.appliedNameservers.map((ns) => ({ name: ns.name, registry: d.registry, inline: { ipv4: ns.ipv4, ipv6: ns.ipv6 }, attribute: true })) : null;
  }
}
