import type { NonEmptyArray } from 'type-graphql';
import { bulkMutationChecks, bulkMutationInputs, BulkResolver } from './bulk/bulk.resolver.js';
import { BulkSubscriptionResolver } from './bulk/bulk.subscription.js';
import { CommandLogResolver } from './commandlog/commandlog.resolver.js';
import { PageInfoResolver } from './common/page-info.resolver.js';
import { contactMutationChecks, contactMutationInputs, ContactPayloadResolver, ContactResolver } from './contact/contact.resolver.js';
import { DomainApplyResolver } from './domain/domain.apply.resolver.js';
import { DomainContactResolver, DomainFieldsResolver } from './domain/domain.fields.resolver.js';
import { domainMutationChecks, domainMutationInputs, DomainPayloadResolver, DomainResolver } from './domain/domain.resolver.js';
import { hostMutationChecks, hostMutationInputs, HostPayloadResolver, HostResolver } from './host/host.resolver.js';
import { NameserverFieldsResolver } from './host/nameserver.fields.resolver.js';
import { pollMutationInputs, PollResolver } from './poll/poll.resolver.js';
import { PollSubscriptionResolver } from './poll/poll.subscription.js';
import { RegistrarResolver, RegistryAccountResolver } from './registrar/registrar.resolver.js';
import { sandboxMutationChecks, sandboxMutationInputs, SandboxResolver } from './registrar/sandbox.resolver.js';
import { TransferResolver, transferMutationChecks, transferMutationInputs } from './transfer/transfer.resolver.js';
import type { MutationChecks, MutationInputs } from './common/mutate.js';

/** Every resolver class of the schema, for type-graphql's schema build (buildFederatedSchema in schema/build.ts). */
export const resolvers: NonEmptyArray<Function> = [
  RegistrarResolver,
  RegistryAccountResolver,
  SandboxResolver,
  DomainResolver,
  DomainPayloadResolver,
  DomainFieldsResolver,
  DomainApplyResolver,
  DomainContactResolver,
  NameserverFieldsResolver,
  HostResolver,
  HostPayloadResolver,
  ContactResolver,
  ContactPayloadResolver,
  TransferResolver,
  PollResolver,
  PollSubscriptionResolver,
  CommandLogResolver,
  PageInfoResolver,
  BulkResolver,
  BulkSubscriptionResolver,
];

/**
 * Every mutation's parse step by field name (common/mutate.ts MutationInputs), for the pre-pass
 * that checks all root fields of a mutation before any runs (src/limits/mutation-inputs.ts). A test
 * (test/unit/limits/mutation-inputs.test.ts) fails when a Mutation field of the schema has none.
 */
export const mutationInputs: MutationInputs = {
  ...domainMutationInputs,
  ...contactMutationInputs,
  ...hostMutationInputs,
  ...transferMutationInputs,
  ...pollMutationInputs,
  ...sandboxMutationInputs,
  ...bulkMutationInputs,
};

/**
 * Every mutation's checks that need no registry by field name (common/mutate.ts MutationChecks:
 * routing, the registrar's account, capabilities the backend's kind and config fix), run by the
 * same pre-pass after the field's parse step. ackPollMessage and cancelBulkJob have none: what
 * they refuse (a message, a job that is not the viewer's) is read from the database when they run.
 */
export const mutationChecks: MutationChecks = {
  ...domainMutationChecks,
  ...contactMutationChecks,
  ...hostMutationChecks,
  ...transferMutationChecks,
  ...sandboxMutationChecks,
  ...bulkMutationChecks,
};
