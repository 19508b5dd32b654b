import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { UpstreamTransaction } from '../common/common.type.js';
import { connectionType } from '../common/connection.js';

/** GraphQL BulkJobKind: one per bulk mutation (src/bulk/kinds.ts BULK_KINDS). */
export enum BulkJobKind {
  RENEW = 'RENEW',
  TRANSFER = 'TRANSFER',
  REPLACE_NAMESERVER = 'REPLACE_NAMESERVER',
  REPLACE_TECH_CONTACT = 'REPLACE_TECH_CONTACT',
  UPDATE_STATUSES = 'UPDATE_STATUSES',
}
registerEnumType(BulkJobKind, { name: 'BulkJobKind', description: 'What a bulk job does to each of its domains.' });

/** GraphQL BulkJobState, the `bulk_job_state` column's values. */
export enum BulkJobState {
  RUNNING = 'RUNNING',
  COMPLETED = 'COMPLETED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(BulkJobState, { name: 'BulkJobState', description: 'RUNNING until every item is finished (none pending, running or awaiting the registry); CANCELLED once cancelled (items already running or awaiting the registry still finish).' });

/** GraphQL BulkItemState, the `bulk_items.state` column's values (src/bulk/store.ts ItemState). */
export enum BulkItemState {
  PENDING = 'PENDING',
  RUNNING = 'RUNNING',
  AWAITING_REGISTRY = 'AWAITING_REGISTRY',
  SUCCEEDED = 'SUCCEEDED',
  FAILED = 'FAILED',
  CANCELLED = 'CANCELLED',
}
registerEnumType(BulkItemState, {
  name: 'BulkItemState',
  description:
    "PENDING (waiting, or waiting to be tried again after a transient failure), RUNNING, AWAITING_REGISTRY (sent; the registry only queued the command, answering 1001 with its request id, a Joker Proc-ID, as serverTransactionId: settled SUCCEEDED or FAILED when the registry's result arrives through its poll queue; an EPP transfer request answered 1001 is SUCCEEDED, the request accepted), SUCCEEDED, FAILED (a definite refusal, by the registry at once or in its queued result, or transient failures until the attempts ran out), CANCELLED (not run: the job was cancelled).",
});

/** GraphQL BulkItemError (src/bulk/views.ts ItemView.error). */
@ObjectType({ description: "Why an item failed or was cancelled: the error's stable code (as a mutation's extensions.code) and message." })
export class BulkItemError {
  @Field()
  code!: string;

  @Field()
  message!: string;

  @Field(() => Int, { nullable: true, description: 'Upstream result code, where the registry answered one.' })
  upstreamCode?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The argument of the bulk mutation the error is about, as a path into it (as a mutation's extensions.field): an item's own field at its place in `domains` (`domains[3].currentExpiry`, `domains[7].authInfo`), or a job-wide one (`period`); null when the error is about no field (a registry's refusal of the change).",
  })
  field?: string | null;
}

/** GraphQL BulkItem, answered from src/bulk/views.ts ItemView. */
@ObjectType({ description: 'One domain of a bulk job.' })
export class BulkItem {
  @Field(() => Int, { description: "0-based place in the job's list (the order given)." })
  position!: number;

  @Field()
  domainName!: string;

  @Field({ description: 'The backend the domain is routed to.' })
  registry!: string;

  @Field(() => BulkItemState)
  state!: BulkItemState;

  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;

  @Field(() => UpstreamTransaction, {
    nullable: true,
    description: 'The upstream command of a SUCCEEDED item (null when it was skipped); of an AWAITING_REGISTRY item (resultCode 1001, pending) and of one the registry refused in its queued result (its code).',
  })
  transaction?: UpstreamTransaction | null;

  @Field(() => Date, { nullable: true, description: 'RENEW: the new expiry date, once the registry applied it (null while AWAITING_REGISTRY).' })
  expiresAt?: Date | null;

  @Field(() => String, { nullable: true, description: 'SUCCEEDED without a command: why nothing needed sending (the domain lacks the old name server or contact).' })
  skipped?: string | null;

  @Field(() => BulkItemError, { nullable: true, description: 'FAILED or CANCELLED: why; PENDING after a transient failure: the last error.' })
  error?: BulkItemError | null;
}

/** The Relay connection of a job's items (BulkJob.items), cursor = position. */
export const BulkItemConnection = connectionType('BulkItem', BulkItem, 'items of a bulk job, by position');

/** GraphQL BulkJobCounts (src/bulk/views.ts CountsView). */
@ObjectType({ description: 'How many items of a job are in each state.' })
export class BulkJobCounts {
  @Field(() => Int, { description: 'SUCCEEDED.' })
  done!: number;

  @Field(() => Int)
  failed!: number;

  @Field(() => Int, { description: 'Not started yet, or waiting to be tried again.' })
  pending!: number;

  @Field(() => Int)
  running!: number;

  @Field(() => Int, { description: 'AWAITING_REGISTRY: sent, the registry has not processed them yet.' })
  awaiting!: number;

  @Field(() => Int)
  cancelled!: number;
}

/** GraphQL BulkJob (src/bulk/views.ts JobView); dates are DateTimeISO (UTC). */
@ObjectType({ description: 'A bulk mutation: its items run in the background, on any gateway instance, each exactly once.' })
export class BulkJob {
  @Field(() => ID)
  id!: string;

  @Field(() => BulkJobKind)
  kind!: BulkJobKind;

  @Field(() => BulkJobState)
  state!: BulkJobState;

  @Field(() => Int, { description: 'Items (domains) in the job.' })
  total!: number;

  @Field(() => BulkJobCounts)
  counts!: BulkJobCounts;

  @Field()
  createdAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the last item finished (an item awaiting the registry is not finished).' })
  finishedAt?: Date | null;
}

/** What a bulk mutation answers. */
@ObjectType({ description: 'The answer of a bulk mutation: the job, written and started.' })
export class BulkJobPayload {
  @Field(() => BulkJob)
  job!: BulkJob;

  @Field({ description: 'True when an earlier request with this idempotencyKey created the job.' })
  replayed!: boolean;
}

/** One event of the `bulkJob` subscription (src/bulk/stream.ts BulkJobEventView). */
@ObjectType({ description: "Progress of a job: its counts, and the outcomes of items that finished since the last event (all finished ones first)." })
export class BulkJobEvent {
  @Field(() => BulkJob)
  job!: BulkJob;

  @Field(() => [BulkItem])
  outcomes!: BulkItem[];
}
