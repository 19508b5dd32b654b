import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UpstreamTransaction } from '../common/common.type.js';

/** GraphQL TransferStatus; its values are the eppcom-1.0 trStatusType (RFC 5730) (core TransferStatus). */
export enum TransferStatus {
  pending = 'pending',
  clientApproved = 'clientApproved',
  clientCancelled = 'clientCancelled',
  clientRejected = 'clientRejected',
  serverApproved = 'serverApproved',
  serverCancelled = 'serverCancelled',
}
registerEnumType(TransferStatus, { name: 'TransferStatus' });

/** GraphQL Transfer (core Transfer, RFC 5731 section 3.1.3 trnData). */
@ObjectType({ description: 'The latest transfer of a domain between registrars.' })
export class Transfer {
  @Field()
  domainName!: string;

  @Field(() => TransferStatus)
  status!: TransferStatus;

  @Field()
  gainingRegistrar!: string;

  @Field()
  losingRegistrar!: string;

  @Field()
  requestedAt!: Date;

  @Field({ description: 'When the losing registrar must act by (auto-approval time), or when it acted. A registry that sets no deadline for a pending transfer (HeadlessDomains, Joker) gives none: it is then requestedAt.' })
  actionAt!: Date;

  @Field(() => Date, { nullable: true, description: 'Expiry after the transfer, where the registry says.' })
  expiresAt?: Date | null;
}

/** What the transfer mutations answer. */
@ObjectType()
export class TransferPayload {
  @Field(() => Transfer)
  transfer!: Transfer;

  @Field(() => UpstreamTransaction)
  transaction!: UpstreamTransaction;

  @Field()
  replayed!: boolean;
}
