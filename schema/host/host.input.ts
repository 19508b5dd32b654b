import { Field, InputType } from 'type-graphql';

/** createHost's input (RFC 5732 section 3.2.1), checked by toHostCreate. */
@InputType()
export class CreateHostInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true, description: 'Registry to create it at (default: by the host name, else the default).' })
  registry?: string | null;

  @Field(() => [String], { defaultValue: [] })
  ipv4!: string[];

  @Field(() => [String], { defaultValue: [] })
  ipv6!: string[];
}

/** updateHost's input (RFC 5732 section 3.2.5), checked by toHostUpdate. */
@InputType()
export class UpdateHostInput {
  @Field()
  name!: string;

  @Field(() => String, { nullable: true })
  registry?: string | null;

  @Field(() => [String], { defaultValue: [] })
  addIpv4!: string[];

  @Field(() => [String], { defaultValue: [] })
  addIpv6!: string[];

  @Field(() => [String], { defaultValue: [] })
  removeIpv4!: string[];

  @Field(() => [String], { defaultValue: [] })
  removeIpv6!: string[];

  @Field(() => [String], { defaultValue: [] })
  addStatuses!: string[];

  @Field(() => [String], { defaultValue: [] })
  removeStatuses!: string[];

  @Field(() => String, { nullable: true, description: 'Rename the host.' })
  newName?: string | null;
}
