import { Directive, Field, ObjectType } from 'type-graphql';
import { CheckResult, ContactRole, UpstreamTransaction } from '../common/common.type.js';
import { connectionType } from '../common/connection.js';
import { BackendApplyStatus, RegistrantInfo } from './apply.type.js';

// Federation entity: other subgraphs refer to a domain by its name (schema/domain/domain.reference.ts).
@Directive('@key(fields: "name")')
@ObjectType({ description: 'A registered domain name, as its registry holds it.' })
export class Domain {
  @Field({ description: 'The name in A-label (ASCII) form.' })
  name!: string;

  @Field({ description: 'The name in U-label (Unicode) form.' })
  unicodeName!: string;

  @Field({ description: 'Backend (registry) that holds the domain.' })
  registry!: string;

  @Field(() => String, { nullable: true, description: 'Repository object id.' })
  roid?: string | null;

  @Field(() => [String], {
    description: 'EPP statuses: ok, inactive, clientHold, clientDeleteProhibited, serverTransferProhibited, pendingTransfer, pendingDelete, ...',
  })
  statuses!: string[];

  @Field(() => [String], { description: 'RGP statuses (RFC 3915): addPeriod, redemptionPeriod, pendingRestore, ...' })
  rgpStatuses!: string[];

  @Field({
    description:
      'The sponsoring registrar as the registry names it: its upstream id (EPP clID, HeadlessDomains channel id, Joker reseller id), the viewer\'s own upstream id on the viewer\'s domains. REPP shows no other registrar\'s code: on a REPP domain another registrar sponsors it is that registrar\'s name ("The Registrar AS"), not an id. sponsoredByViewer tells whether the viewer sponsors the domain.',
  })
  sponsor!: string;

  @Field(() => String, { nullable: true })
  createdBy?: string | null;

  @Field(() => Date, { nullable: true })
  createdAt?: Date | null;

  @Field(() => String, { nullable: true })
  updatedBy?: string | null;

  @Field(() => Date, { nullable: true })
  updatedAt?: Date | null;

  @Field(() => Date, { nullable: true })
  expiresAt?: Date | null;

  @Field(() => Date, { nullable: true })
  transferredAt?: Date | null;

  @Field(() => [String], { description: 'Host names subordinate to this domain.' })
  subordinateHosts!: string[];

  @Field(() => String, { nullable: true, description: "The registry's lifecycle state where it keeps one (HeadlessDomains: active, pending_cancel, cancelled, protected_recovery); null elsewhere." })
  lifecycleState?: string | null;

  @Field(() => BackendApplyStatus, { nullable: true, description: 'Whether the registry backend has applied the desired name servers (`nameservers`) yet; null where changes apply at once.' })
  nameserverApplyStatus?: BackendApplyStatus | null;

  @Field(() => BackendApplyStatus, { nullable: true, description: 'Whether any backend apply (name servers, cancellation, transfer) is still pending; null where changes apply at once.' })
  backendApplyStatus?: BackendApplyStatus | null;

  @Field(() => RegistrantInfo, { nullable: true, description: 'Registrant metadata held on the domain (registries without contact objects: HeadlessDomains).' })
  registrantInfo?: RegistrantInfo | null;
}

/** GraphQL DomainContact (core DomainContact, RFC 5731 section 2.2). */
@ObjectType({ description: 'A contact in a role on a domain.' })
export class DomainContact {
  @Field(() => ContactRole)
  role!: ContactRole;

  @Field({ description: 'Contact id at the registry.' })
  id!: string;
}

/** The Relay connection of the `domains` query; a node that could not be read is null with its error at that path. */
export const DomainConnection = connectionType('Domain', Domain, 'domains', {
  nullableNode:
    'The domain, or null when it could not be read (its registry rate-limited, unreachable or timed out): the error at this path says why (`extensions.code`, e.g. RATE_LIMITED or UPSTREAM_UNAVAILABLE) and which domain (`extensions.domainName`); the cursor still pages on.',
});

/** One checkDomains answer: a CheckResult and the backend that answered it. */
@ObjectType()
export class DomainCheck extends CheckResult {
  @Field()
  registry!: string;
}

/** What the domain mutations answer. */
@ObjectType()
export class DomainPayload {
  @Field(() => Domain, { nullable: true, description: 'The domain as the registry holds it now (read after the command; null once deleted).' })
  domain?: Domain | null;

  @Field({ description: 'Name the command acted on (A-label).' })
  name!: string;

  @Field(() => UpstreamTransaction)
  transaction!: UpstreamTransaction;

  @Field({ description: 'True when this answer was replayed from the idempotency record of an earlier request with the same key.' })
  replayed!: boolean;
}

/** renewDomain's answer (RFC 5731 section 3.2.3 exDate). */
@ObjectType()
export class RenewDomainPayload extends DomainPayload {
  @Field({ description: 'Expiry date after the renewal.' })
  expiresAt!: Date;
}

/** deleteDomain's answer; `pending` when the registry answered 1001 (RFC 5730 section 3). */
@ObjectType()
export class DeleteDomainPayload extends DomainPayload {
  @Field({ description: 'True when the registry only marked the domain for deletion (redemption period).' })
  pending!: boolean;
}
