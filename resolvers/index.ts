import type { NonEmptyArray } from 'type-graphql';
import { BulkResolver } from './bulk/bulk.resolver.js';
import { BulkSubscriptionResolver } from './bulk/bulk.subscription.js';
import { CommandLogResolver } from './commandlog/commandlog.resolver.js';
import { PageInfoResolver } from './common/page-info.resolver.js';
import { ContactPayloadResolver, ContactResolver } from './contact/contact.resolver.js';
import { DomainApplyResolver } from './domain/domain.apply.resolver.js';
import { DomainContactResolver, DomainFieldsResolver } from './domain/domain.fields.resolver.js';
import { DomainPayloadResolver, DomainResolver } from './domain/domain.resolver.js';
import { HostPayloadResolver, HostResolver } from './host/host.resolver.js';
import { NameserverFieldsResolver } from './host/nameserver.fields.resolver.js';
import { PollResolver } from './poll/poll.resolver.js';
import { PollSubscriptionResolver } from './poll/poll.subscription.js';
import { RegistrarResolver, RegistryAccountResolver } from './registrar/registrar.resolver.js';
import { SandboxResolver } from './registrar/sandbox.resolver.js';
import { TransferResolver } from './transfer/transfer.resolver.js';

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
