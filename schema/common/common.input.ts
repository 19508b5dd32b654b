import { Field, InputType, Int } from 'type-graphql';
import { PeriodUnit } from './common.type.js';

@InputType({ description: 'A registration period: 1-10 years, or 1-120 months where the registry accepts months.' })
export class PeriodInput {
  @Field(() => Int)
  value!: number;

  @Field(() => PeriodUnit, { defaultValue: PeriodUnit.YEARS })
  unit!: PeriodUnit;
}
