import { Field, InputType, registerEnumType } from 'type-graphql';
import { ContactRole } from '../common/common.type.js';
import { PeriodInput } from '../common/common.input.js';
import { DnssecInput, DsDataInput, KeyDataInput } from './dnssec.type.js';
import { RegistrantInfoInput } from './apply.type.js';

/** Statuses a registrar may set itself (RFC 5731 client* statuses). */
export enum ClientStatus {
  clientDeleteProhibited = 'clientDeleteProhibited',
  clientHold = 'clientHold',
  clientRenewProhibited = 'clientRenewProhibited',
  clientTransferProhibited = 'clientTransferProhibited',
  clientUpdateProhibited = 'clientUpdateProhibited',
}
registerEnumType(ClientStatus, { name: 'ClientStatus', description: 'Statuses a registrar may add or remove.' });

/** -> core DomainContact (RFC 5731 section 2.2), checked by checkContacts. */
@InputType()
export class DomainContactInput {
  @Field(() => ContactRole)
  role!: ContactRole;

  @Field()
  id!: string;
}

/** -> core DomainNameserver (RFC 5731 section 1.1 hostObj / hostAttr), checked by checkNameserver. */
@InputType({ description: 'A name server: a host name, with addresses only when it is under the domain itself (glue).' })
export class NameserverInput {
  @Field()
  name!: string;

  @Field(() => [String], { defaultValue: [] })
  ipv4!: string[];

  @Field(() => [String], { defaultValue: [] })
  ipv6!: string[];
}

/** createDomain's input (RFC 5731 section 3.2.1), checked by toDomainCreate. */
@InputType()
export class CreateDomainInput {
  @Field({ description: 'Domain name; Unicode names are converted to A-labels.' })
  name!: string;

  @Field(() => PeriodInput, { nullable: true, description: 'Defaults to 1 year.' })
  period?: PeriodInput | null;

  @Field(() => String, { nullable: true, description: 'Registrant contact id (registries with contact objects).' })
  registrant?: string | null;

  @Field(() => [DomainContactInput], { defaultValue: [] })
  contacts!: DomainContactInput[];

  @Field(() => [NameserverInput], { defaultValue: [] })
  nameservers!: NameserverInput[];

  @Field({ description: 'Transfer authorisation code (6-64 characters).' })
  authInfo!: string;

  @Field(() => DnssecInput, { nullable: true })
  dnssec?: DnssecInput | null;

  @Field(() => RegistrantInfoInput, { nullable: true, description: 'Registrant metadata on the domain (registries with the registrantInfo capability).' })
  registrantInfo?: RegistrantInfoInput | null;
}

/** renewDomain's input (RFC 5731 section 3.2.3: curExpDate, period). */
@InputType()
export class RenewDomainInput {
  @Field()
  name!: string;

  @Field(() => PeriodInput, { nullable: true, description: 'Defaults to 1 year.' })
  period?: PeriodInput | null;

  @Field(() => Date, {
    nullable: true,
    description:
      "Current expiry date: a date alone (2028-12-02, taken as 00:00 UTC of that day) or a date-time (the domain's expiresAt as read). Its calendar date is sent upstream (EPP curExpDate: the UTC date; REPP exp_date: the date in the registry's time zone, Europe/Tallinn). When absent the gateway reads it first; it is always sent upstream, so a resend cannot renew twice.",
  })
  currentExpiry?: Date | null;
}

/** updateDomain's `add` or `remove` (RFC 5731 section 3.2.5 <domain:add> / <domain:rem>; RFC 5910 for DNSSEC). */
@InputType({ description: 'Things to add to or remove from a domain.' })
export class DomainChangeSetInput {
  @Field(() => [ClientStatus], { defaultValue: [] })
  statuses!: ClientStatus[];

  @Field(() => [DomainContactInput], { defaultValue: [] })
  contacts!: DomainContactInput[];

  @Field(() => [NameserverInput], { defaultValue: [] })
  nameservers!: NameserverInput[];

  @Field(() => [DsDataInput], { defaultValue: [] })
  dsData!: DsDataInput[];

  @Field(() => [KeyDataInput], { defaultValue: [] })
  keyData!: KeyDataInput[];
}

/** updateDomain's input (RFC 5731 section 3.2.5), checked by toDomainUpdate. */
@InputType()
export class UpdateDomainInput {
  @Field()
  name!: string;

  @Field(() => DomainChangeSetInput, { nullable: true })
  add?: DomainChangeSetInput | null;

  @Field(() => DomainChangeSetInput, { nullable: true })
  remove?: DomainChangeSetInput | null;

  @Field({ defaultValue: false, description: 'Remove every DNSSEC key before adding (secDNS rem all).' })
  removeAllDnssec!: boolean;

  @Field(() => String, { nullable: true, description: 'New registrant contact id; "" removes the registrant (RFC 5731 section 3.2.5), where the registry allows it.' })
  registrant?: string | null;

  @Field(() => String, { nullable: true, description: 'New transfer authorisation code.' })
  authInfo?: string | null;

  @Field(() => RegistrantInfoInput, { nullable: true, description: 'Registrant metadata to change (registries with the registrantInfo capability: HeadlessDomains PATCH registrant).' })
  registrantInfo?: RegistrantInfoInput | null;
}
