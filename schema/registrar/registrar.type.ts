import { Directive, Field, ObjectType } from 'type-graphql';
import { Money } from '../common/common.type.js';

/** GraphQL RegistryCapabilities (core Capabilities). */
@ObjectType({ description: 'What a registry backend supports (from the EPP greeting or the backend config).' })
export class RegistryCapabilities {
  @Field() contacts!: boolean;
  @Field() hostObjects!: boolean;
  @Field() dnssec!: boolean;
  @Field() restore!: boolean;
  @Field() transferActions!: boolean;
  @Field() poll!: boolean;
  @Field() balance!: boolean;
  @Field({ description: "The registry lists the registrar's domains itself (the domains connection then shows its list)." }) listDomains!: boolean;
  @Field({ description: 'The registry assigns contact ids; createContact may leave id out.' }) contactIdsAssigned!: boolean;
  @Field({ description: 'Contacts carry an identity (ident), required on createContact.' }) contactIdent!: boolean;
  @Field({ description: 'Native bulk actions (transfer, tech contact replacement, name server change, renew), each one registry request for many domains (REPP).' }) bulk!: boolean;
  @Field(() => Boolean, { description: 'Registrant metadata is kept on the domain (registrantInfo on createDomain/updateDomain).' }) registrantInfo?: boolean;
}

/** GraphQL RegistryAccount: the viewer's account at one backend. */
@ObjectType({ description: "The registrar's account at one registry backend." })
export class RegistryAccount {
  @Field({ description: 'Backend name.' })
  registry!: string;

  @Field({ description: 'Protocol: epp, repp, headless, joker.' })
  kind!: string;

  @Field({ description: 'The login id at that registry.' })
  upstreamId!: string;

  @Field(() => [String], { description: 'TLDs routed to this backend.' })
  tlds!: string[];
}

// Federation entity, keyed by the gateway registrar id (schema/registrar/registrar.reference.ts).
@Directive('@key(fields: "id")')
@ObjectType({ description: 'A registrar: the owner of the API key in use.' })
export class Registrar {
  @Field()
  id!: string;

  @Field()
  name!: string;

  @Field(() => [RegistryAccount])
  accounts!: RegistryAccount[];
}

export { Money };
