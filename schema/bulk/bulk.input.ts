import { Field, InputType } from 'type-graphql';

@InputType({ description: 'One domain to renew.' })
export class BulkRenewItemInput {
  @Field()
  name!: string;

  @Field(() => Date, { nullable: true, description: 'Its current expiry date, a date alone (2028-12-02) or a date-time, as renewDomain takes it (sent upstream as renewDomain does); read from the registry when absent, one more command.' })
  currentExpiry?: Date | null;
}

@InputType({ description: 'One domain to transfer in.' })
export class BulkTransferItemInput {
  @Field()
  name!: string;

  @Field({ description: "The domain's transfer authorisation code from its current registrar (stored sealed until the item runs, never shown)." })
  authInfo!: string;
}
