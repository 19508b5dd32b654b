import { Field, InputType } from 'type-graphql';
import { ContactIdentType, DisclosureField } from './contact.type.js';

/** -> core ContactIdent, checked by checkIdent (src/validation/contact.ts). */
@InputType({ description: "A contact's identity, where the registry keeps one (capability contactIdent)." })
export class ContactIdentInput {
  @Field({ description: 'A personal code (PRIV), a company registry code (ORG) or a birthday yyyy-mm-dd (BIRTHDAY); 1-100 characters.' })
  code!: string;

  @Field(() => ContactIdentType)
  type!: ContactIdentType;

  @Field({ description: 'ISO 3166-1 alpha-2 country of the code.' })
  countryCode!: string;
}

/** -> core Disclosure (RFC 5733 section 2.9). */
@InputType({ description: "The registrant's disclosure preference (RFC 5733 disclose); a registry may refuse a preference its policy does not allow, with its own code (Nomulus refuses flag false: PARAMETER_VALUE_POLICY_ERROR, 2306)." })
export class ContactDisclosureInput {
  @Field({ description: 'false: do not disclose these elements; true: disclose them.' })
  flag!: boolean;

  @Field(() => [DisclosureField], { description: 'At least one, each once.' })
  fields!: DisclosureField[];
}

/** -> core PostalInfo (RFC 5733 sections 2.3-2.4), checked by checkPostal. */
@InputType()
export class PostalInfoInput {
  @Field({ defaultValue: 'int', description: '"int" (ASCII only) or "loc".' })
  type!: string;

  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  org?: string | null;

  @Field(() => [String], { defaultValue: [] })
  street!: string[];

  @Field()
  city!: string;

  @Field(() => String, { nullable: true })
  sp?: string | null;

  @Field(() => String, { nullable: true })
  pc?: string | null;

  @Field()
  cc!: string;
}

/** createContact's input (RFC 5733 section 3.2.1), checked by toContactCreate. */
@InputType()
export class CreateContactInput {
  @Field(() => String, {
    nullable: true,
    description: 'Contact id, 3-16 characters, chosen by the registrar. Optional where the registry assigns ids (capability contactIdsAssigned): it then prefixes a given id with the registrar\'s code.',
  })
  id?: string | null;

  @Field(() => String, { nullable: true, description: 'Registry to create it at (default: the configured default).' })
  registry?: string | null;

  @Field(() => [PostalInfoInput])
  postalInfo!: PostalInfoInput[];

  @Field(() => String, { nullable: true, description: 'Phone in EPP form, +1.7035555555.' })
  voice?: string | null;

  @Field(() => String, { nullable: true })
  fax?: string | null;

  @Field()
  email!: string;

  @Field()
  authInfo!: string;

  @Field(() => ContactDisclosureInput, { nullable: true })
  disclosure?: ContactDisclosureInput | null;

  @Field(() => ContactIdentInput, { nullable: true, description: 'Required where the registry keeps an identity (capability contactIdent), refused elsewhere.' })
  ident?: ContactIdentInput | null;
}

/** updateContact's input (RFC 5733 section 3.2.5), checked by toContactUpdate. */
@InputType()
export class UpdateContactInput {
  @Field()
  id!: string;

  @Field(() => String, { nullable: true })
  registry?: string | null;

  @Field(() => [String], { defaultValue: [] })
  addStatuses!: string[];

  @Field(() => [String], { defaultValue: [] })
  removeStatuses!: string[];

  @Field(() => [PostalInfoInput], { nullable: true, description: 'Postal info to change, by type; an org, sp or pc of "" clears it (RFC 5733 section 3.2.5).' })
  postalInfo?: PostalInfoInput[] | null;

  @Field(() => String, { nullable: true, description: 'New voice number (+CC.NUMBER); "" clears it (RFC 5733 section 3.2.5).' })
  voice?: string | null;

  @Field(() => String, { nullable: true, description: 'New fax number (+CC.NUMBER); "" clears it (RFC 5733 section 3.2.5).' })
  fax?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  authInfo?: string | null;

  @Field(() => ContactDisclosureInput, { nullable: true, description: 'Replaces the disclosure preference.' })
  disclosure?: ContactDisclosureInput | null;
}
