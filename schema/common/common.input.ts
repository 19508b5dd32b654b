import { Field, InputType, Int } from 'type-graphql';
import { PeriodUnit } from './common.type.js';

/** GraphQL PeriodInput -> core Period (RFC 5731 section 2.5); the range is checked by checkPeriod, not the schema. */
@InputType({ description: 'A registration period: 1-10 years, or 1-120 months where the registry accepts months.' })
export class PeriodInput {
  @Field(() => Int)
  value!: number;

  @Field(() => PeriodUnit, { defaultValue: PeriodUnit.YEARS })
  unit!: PeriodUnit;
}
