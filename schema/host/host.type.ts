import { Directive, Field, ObjectType } from 'type-graphql';
import { UpstreamTransaction } from '../common/common.type.js';

// Federation entity, keyed by host name (schema/host/nameserver.reference.ts).
/** GraphQL Nameserver: core Host (RFC 5732 section 3.1.2) or a domain's host attribute (RFC 5731 hostAttr), plus its registry. */
@Directive('@key(fields: "name")')
@ObjectType({ description: 'A name server with its addresses: an EPP host object, or, at registries without host objects (REPP), an attribute of the domain that names it (statuses empty; sponsor and dates null: there is no object to have them).' })
export class Nameserver {
  @Field()
  name!: string;

  @Field()
  registry!: string;

  @Field(() => [String])
  ipv4!: string[];

  @Field(() => [String])
  ipv6!: string[];

  @Field(() => [String])
  statuses!: string[];

  @Field(() => String, { nullable: true, description: 'Sponsoring registrar (null for host attributes).' })
  sponsor?: string | null;

  @Field(() => Date, { nullable: true, description: 'null for host attributes.' })
  createdAt?: Date | null;

  @Field(() => Date, { nullable: true, description: 'null for host attributes.' })
  updatedAt?: Date | null;
}

/** What the host mutations answer. */
@ObjectType()
export class HostPayload {
  @Field()
  name!: string;

  @Field(() => Nameserver, { nullable: true, description: 'The host as the registry holds it now (null once deleted).' })
  host?: Nameserver | null;

  @Field(() => UpstreamTransaction)
  transaction!: UpstreamTransaction;

  @Field()
  replayed!: boolean;
}
