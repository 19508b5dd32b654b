import { Field, Int, ObjectType } from 'type-graphql';
import { UpstreamTransaction } from '../common/common.type.js';

/** GraphQL NamespaceListing (core AccountStatus.namespaces). */
@ObjectType({ description: 'An approved namespace listing of the registrar channel.' })
export class NamespaceListing {
  @Field() tld!: string;
  @Field() status!: string;
}

/** GraphQL UpstreamRateLimit (core AccountStatus.rateLimit): `windowSeconds` in seconds, `resetAt` UTC. */
@ObjectType({ description: "The registry's rate-limit state for the account's key." })
export class UpstreamRateLimit {
  @Field(() => Int) limit!: number;
  @Field(() => Int) remaining!: number;
  @Field(() => Int) windowSeconds!: number;
  @Field(() => Date, { nullable: true }) resetAt?: Date | null;
}

/** GraphQL ContractTerm (core AccountStatus.contract). */
@ObjectType({ description: 'One term of the registry service contract, as the registry states it.' })
export class ContractTerm {
  @Field() name!: string;
  @Field() value!: string;
}

/** GraphQL RegistryAccountStatus (core AccountStatus). */
@ObjectType({ description: "What the registry says about the registrar's account (HeadlessDomains GET /status)." })
export class RegistryAccountStatus {
  @Field({ description: 'The registrar channel the API key is bound to.' }) channelId!: string;
  @Field(() => String, { nullable: true }) channelName?: string | null;
  @Field() channelApproved!: boolean;
  @Field(() => [NamespaceListing]) namespaces!: NamespaceListing[];
  @Field({ description: 'Approved for production (false in the sandbox).' }) productionApproved!: boolean;
  @Field(() => String, { nullable: true, description: 'sandbox or production.' }) environment?: string | null;
  @Field(() => String, { nullable: true, description: "The API key's profile (registrar_api)." }) keyProfile?: string | null;
  @Field(() => [String]) scopes!: string[];
  @Field(() => UpstreamRateLimit, { nullable: true }) rateLimit?: UpstreamRateLimit | null;
  @Field(() => [String], { description: 'Commands the registry service offers this account.' }) commands!: string[];
  @Field(() => [ContractTerm], { description: 'The registry service contract.' }) contract!: ContractTerm[];
  @Field({ description: 'audit_provenance.registrar_channel_id: the channel id every audit row of this account carries.' }) auditChannelId!: string;
  @Field({ description: "The registry's answer as JSON (no secrets: the token is never part of it)." }) raw!: string;
}

/** GraphQL SandboxFixture (core SandboxResetResult.fixtures). */
@ObjectType({ description: 'One OT&E fixture a sandbox reset re-created.' })
export class SandboxFixture {
  @Field({ description: 'available, renewal, update, transfer, nameservers or delete.' }) role!: string;
  @Field() domain!: string;
}

/** sandboxReset's answer (core SandboxResetResult). */
@ObjectType()
export class SandboxResetPayload {
  @Field() registry!: string;
  @Field(() => Date, { nullable: true }) resetAt?: Date | null;
  @Field(() => [SandboxFixture]) fixtures!: SandboxFixture[];
  @Field(() => String, { nullable: true, description: "The transfer fixture's auth info, to record transfer intent on it." }) transferAuthInfo?: string | null;
  @Field(() => UpstreamTransaction) transaction!: UpstreamTransaction;
  @Field({ description: 'True when this answer was replayed from the idempotency record of an earlier request with the same key.' }) replayed!: boolean;
}
