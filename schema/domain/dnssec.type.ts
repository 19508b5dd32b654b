import { Field, InputType, Int, ObjectType } from 'type-graphql';

/** GraphQL DnssecKey: core DsData and KeyData (RFC 5910 section 4) as one type. */
@ObjectType({ description: 'A DNSSEC key as the registry holds it: DS data (RFC 5910 dsData), key data, or both.' })
export class DnssecKey {
  @Field(() => Int, { nullable: true })
  keyTag?: number | null;

  @Field(() => Int)
  algorithm!: number;

  @Field(() => Int, { nullable: true })
  digestType?: number | null;

  @Field(() => String, { nullable: true, description: 'Hex digest (upper case).' })
  digest?: string | null;

  @Field(() => Int, { nullable: true, description: 'DNSKEY flags (256 ZSK, 257 KSK).' })
  flags?: number | null;

  @Field(() => Int, { nullable: true })
  protocol?: number | null;

  @Field(() => String, { nullable: true, description: 'Base64 public key.' })
  publicKey?: string | null;
}

/** -> core KeyData (RFC 5910 section 4.2); checked by checkDnssecLists (src/validation/dnssec.ts). */
@InputType({ description: 'DNSKEY fields (RFC 5910 keyData).' })
export class KeyDataInput {
  @Field(() => Int)
  flags!: number;

  @Field(() => Int, { defaultValue: 3 })
  protocol!: number;

  @Field(() => Int)
  algorithm!: number;

  @Field()
  publicKey!: string;
}

/** -> core DsData (RFC 5910 section 4.1); checked by checkDnssecLists. */
@InputType({ description: 'DS record fields (RFC 5910 dsData), optionally with the key it digests.' })
export class DsDataInput {
  @Field(() => Int)
  keyTag!: number;

  @Field(() => Int)
  algorithm!: number;

  @Field(() => Int)
  digestType!: number;

  @Field()
  digest!: string;

  @Field(() => KeyDataInput, { nullable: true })
  keyData?: KeyDataInput | null;
}

/** createDomain's DNSSEC data (RFC 5910 section 5.2.1). */
@InputType({ description: 'DNSSEC data for a new domain: DS records, or key data where the registry takes keys.' })
export class DnssecInput {
  @Field(() => [DsDataInput], { defaultValue: [] })
  dsData!: DsDataInput[];

  @Field(() => [KeyDataInput], { defaultValue: [] })
  keyData!: KeyDataInput[];
}
