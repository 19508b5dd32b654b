import { Directive, Field, ObjectType, registerEnumType } from 'type-graphql';
import { UpstreamTransaction } from '../common/common.type.js';

/** GraphQL PostalInfo (core PostalInfo, RFC 5733 sections 2.3-2.4). */
@ObjectType({ description: 'Postal address of a contact (RFC 5733 postalInfo): "int" (ASCII) or "loc" (localised).' })
export class PostalInfo {
  @Field()
  type!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  org?: string | null;

  @Field(() => [String])
  street!: string[];

  @Field()
  city!: string;

  @Field(() => String, { nullable: true, description: 'State or province.' })
  sp?: string | null;

  @Field(() => String, { nullable: true, description: 'Postal code.' })
  pc?: string | null;

  @Field({ description: 'ISO 3166 country code.' })
  cc!: string;
}

/** Values are the neutral model's (src/core/model/contact.ts). */
export enum DisclosureField {
  NAME_INT = 'name:int',
  NAME_LOC = 'name:loc',
  ORG_INT = 'org:int',
  ORG_LOC = 'org:loc',
  ADDR_INT = 'addr:int',
  ADDR_LOC = 'addr:loc',
  VOICE = 'voice',
  FAX = 'fax',
  EMAIL = 'email',
}
registerEnumType(DisclosureField, {
  name: 'DisclosureField',
  description: 'A contact element whose disclosure the registrant chooses (RFC 5733 disclose); _INT/_LOC name the postal info form.',
});

/** GraphQL ContactDisclosure (core Disclosure, RFC 5733 section 2.9). */
@ObjectType({ description: "The registrant's disclosure preference for a contact (RFC 5733 disclose)." })
export class ContactDisclosure {
  @Field({ description: 'false: do not disclose these elements (where registry policy would); true: disclose them (where it would not).' })
  flag!: boolean;

  @Field(() => [DisclosureField])
  fields!: DisclosureField[];
}

/** GraphQL ContactIdentType (core ContactIdent.type). */
export enum ContactIdentType {
  PRIV = 'priv',
  ORG = 'org',
  BIRTHDAY = 'birthday',
}
registerEnumType(ContactIdentType, { name: 'ContactIdentType', description: 'PRIV: a personal code; ORG: a company registry code; BIRTHDAY: a date of birth (yyyy-mm-dd).' });

/** GraphQL ContactIdent (core ContactIdent; REPP ident). */
@ObjectType({ description: "A contact's identity at a registry that keeps one (the Estonian registry's ident)." })
export class ContactIdent {
  @Field({ description: 'The personal or registry code, or the birthday (yyyy-mm-dd).' })
  code!: string;

  @Field(() => ContactIdentType)
  type!: ContactIdentType;

  @Field({ description: 'ISO 3166-1 alpha-2 country of the code.' })
  countryCode!: string;
}

// Federation entity: a contact id is unique only within its registry (schema/contact/contact.reference.ts).
@Directive('@key(fields: "registry id")')
@ObjectType({ description: 'A contact object at a registry.' })
export class Contact {
  @Field()
  id!: string;

  @Field()
  registry!: string;

  @Field(() => String, { nullable: true })
  roid?: string | null;

  @Field(() => [String])
  statuses!: string[];

  @Field(() => [PostalInfo])
  postalInfo!: PostalInfo[];

  @Field(() => String, { nullable: true })
  voice?: string | null;

  @Field(() => String, { nullable: true })
  fax?: string | null;

  @Field()
  email!: string;

  @Field()
  sponsor!: string;

  @Field(() => Date, { nullable: true })
  createdAt?: Date | null;

  @Field(() => Date, { nullable: true })
  updatedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  transferredAt?: Date | null;

  @Field(() => ContactDisclosure, { nullable: true, description: 'The disclosure preference the registry holds, if one was set.' })
  disclosure?: ContactDisclosure | null;

  @Field(() => ContactIdent, { nullable: true, description: 'The identity the registry keeps for the contact (REPP); null at registries that keep none (EPP).' })
  ident?: ContactIdent | null;
}

/** What the contact mutations answer. */
@ObjectType()
export class ContactPayload {
  @Field({ description: 'The contact id: the one given, or the one the registry assigned (capability contactIdsAssigned).' })
  id!: string;

  @Field(() => Contact, { nullable: true, description: 'The contact as the registry holds it now (null once deleted).' })
  contact?: Contact | null;

  @Field(() => UpstreamTransaction)
  transaction!: UpstreamTransaction;

  @Field()
  replayed!: boolean;
}
