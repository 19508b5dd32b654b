import { Field, InputType } from 'type-graphql';

/** One bulkRenew item: `name` normalised to lower-case A-labels; `currentExpiry` compared by UTC calendar day (RFC 5731 section 3.2.3 curExpDate). */
@InputType({ description: 'One domain to renew.' })
export class BulkRenewItemInput {
  @Field()
  name!: string;

  @Field(() => Date, { nullable: true, description: 'Its current expiry date, a date alone (2028-12-02) or a date-time, as renewDomain takes it (sent upstream as renewDomain does); read from the registry when absent, one more command.' })
  currentExpiry?: Date | null;
}

/** One bulkTransfer item (RFC 5731 section 3.2.4 transfer request); its auth code is sealed in the database (src/bulk/seal.ts). */
@InputType({ description: 'One domain to transfer in.' })
export class BulkTransferItemInput {
  @Field()
  name!: string;

  @Field({ description: "The domain's transfer authorisation code from its current registrar (stored sealed until the item runs, never shown)." })
  authInfo!: string;
}
