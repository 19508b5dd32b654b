import { Field, Int, ObjectType, registerEnumType } from 'type-graphql';

/** GraphQL PeriodUnit; its values are RFC 5731's pUnitType ("y", "m"). */
export enum PeriodUnit {
  YEARS = 'y',
  MONTHS = 'm',
}
registerEnumType(PeriodUnit, { name: 'PeriodUnit', description: 'Unit of a registration period.' });

/** GraphQL ContactRole; its values are RFC 5731's contactAttrType ("admin", "tech", "billing"). */
export enum ContactRole {
  ADMIN = 'admin',
  TECH = 'tech',
  BILLING = 'billing',
}
registerEnumType(ContactRole, { name: 'ContactRole', description: 'Role of a contact on a domain (RFC 5731).' });

/** GraphQL UpstreamTransaction: a mutation's upstream ids and result code (RFC 5730 section 3). */
@ObjectType({ description: 'Transaction ids and result of the upstream command a mutation sent.' })
export class UpstreamTransaction {
  @Field({ description: 'Client transaction id the gateway sent (EPP clTRID).' })
  clientTransactionId!: string;

  @Field(() => String, { nullable: true, description: 'Server transaction id (EPP svTRID, REPP request id, Joker Proc-ID).' })
  serverTransactionId?: string | null;

  @Field(() => Int, { description: 'Upstream result code (1000 success, 1001 pending, ...).' })
  resultCode!: number;

  @Field({
    description:
      'True while the registry has only queued the command (1001; Joker: accepted with a Proc-ID, the serverTransactionId): its result arrives as a PENDING_ACTION_COMPLETED (or DELETED) poll message, and a retry with the same idempotency key then answers the final result.',
  })
  pending!: boolean;

  @Field(() => String, { nullable: true })
  message?: string | null;
}

/** GraphQL CheckResult (RFC 5731-5733 <check> <cd>: name, avail, reason). */
@ObjectType({ description: 'Availability of one name.' })
export class CheckResult {
  @Field()
  name!: string;

  @Field()
  available!: boolean;

  @Field(() => String, { nullable: true, description: 'Why the name is not available, where the registry says.' })
  reason?: string | null;
}

/** GraphQL Money (core Money): a decimal string and an ISO 4217 currency code. */
@ObjectType()
export class Money {
  @Field({ description: 'Decimal amount as a string, to keep precision.' })
  amount!: string;

  @Field()
  currency!: string;
}
