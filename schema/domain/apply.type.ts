import { Field, InputType, ObjectType, registerEnumType } from 'type-graphql';

/** Whether a registry's backend has applied a change yet (HeadlessDomains: "pending backend apply"). */
export enum BackendApplyStatus {
  APPLIED = 'applied',
  PENDING = 'pending',
}
registerEnumType(BackendApplyStatus, {
  name: 'BackendApplyStatus',
  description: 'Whether the registry backend has applied the desired state (HeadlessDomains name servers, cancellation, transfer).',
});

/** GraphQL RegistrantInfo (core RegistrantInfo). */
@ObjectType({ description: 'Registrant metadata held on the domain itself (registries without contact objects: HeadlessDomains).' })
export class RegistrantInfo {
  @Field(() => String, { nullable: true })
  name?: string | null;

  @Field(() => String, { nullable: true })
  email?: string | null;

  @Field(() => String, { nullable: true })
  organization?: string | null;
}

/** -> core RegistrantInfo, checked by checkRegistrantInfo (src/validation/inputs.ts). */
@InputType({ description: 'Registrant metadata to set on the domain (registries with the registrantInfo capability: HeadlessDomains).' })
export class RegistrantInfoInput {
  @Field(() => String, { nullable: true, description: '1-255 characters.' })
  name?: string | null;

  @Field(() => String, { nullable: true, description: 'An e-mail address.' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: '1-255 characters.' })
  organization?: string | null;
}
