import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.js';

/** GraphQL CommandOutcome: what became of one sent command (src/commandlog/outcome.ts outcomeOf decides). */
export enum CommandOutcome {
  SUCCEEDED = 'SUCCEEDED',
  PARTIAL = 'PARTIAL',
  FAILED = 'FAILED',
  UNKNOWN = 'UNKNOWN',
  RECONCILED_APPLIED = 'RECONCILED_APPLIED',
  RECONCILED_NOT_APPLIED = 'RECONCILED_NOT_APPLIED',
  NOT_SENT = 'NOT_SENT',
  NO_ANSWER = 'NO_ANSWER',
}
registerEnumType(CommandOutcome, {
  name: 'CommandOutcome',
  description: 'What became of an upstream command.',
  valuesConfig: {
    SUCCEEDED: { description: 'The registry answered with success (1xxx); for a native bulk transfer or renewal (bulk:transfer, bulk:renew), every domain in it was done.' },
    PARTIAL: {
      description:
        'A native bulk transfer or renewal (bulk:transfer, bulk:renew) that the registry answered with success (1xxx) as a whole, whose answer shows some of its domains not done (the message names them): applied for the others.',
    },
    FAILED: {
      description:
        "The registry answered with an error (2xxx): not applied. Also a native bulk transfer or renewal answered with success (1xxx) as a whole whose answer shows none of its domains done (the message names them; resultCode stays the registry's).",
    },
    UNKNOWN: {
      description:
        'A command that changes a registry object got no answer, and no reconciliation has settled it yet: it is in flight (finishedAt null), its connection dropped or timed out after sending, or the process that sent it stopped first (finishedAt null). A command sent under an idempotency key does not stay UNKNOWN: the gateway reconciles it with the registry within about two idempotency leases (15 s each by default), retried or not, once the registry can be read.',
    },
    RECONCILED_APPLIED: { description: "No answer arrived; a retry with the same idempotency key read the registry's state and found the command applied." },
    RECONCILED_NOT_APPLIED: { description: 'No answer arrived; a reconciliation found the command not applied (it may have been sent again under the same key).' },
    NO_ANSWER: {
      description:
        'A command that changes no registry object (a check, a read, a transfer query, a poll request or acknowledgement) got no answer: there is nothing to reconcile (the poller repeats a poll acknowledgement until it holds).',
    },
    NOT_SENT: {
      description:
        'The command never reached the registry (its session was gone before it was written, or the registry could not be reached): nothing was applied. A retry with the same idempotency key sends it.',
    },
  },
});

/** GraphQL CommandLogEntry, one command_log row (resolvers/commandlog/commandlog.resolver.ts commandLogEntry). */
@ObjectType({ description: 'One command the gateway sent to a registry on behalf of the viewer. Secrets (passwords, auth info) are never recorded.' })
export class CommandLogEntry {
  @Field(() => ID, { description: 'Entry id; also the cursor.' })
  id!: string;

  @Field({ description: 'Gateway registrar the command was sent for.' })
  registrar!: string;

  @Field({ description: 'Backend (registry) the command went to.' })
  registry!: string;

  @Field({
    description:
      'Gateway operation that caused the command: the mutation or query root field, e.g. "createDomain" (also for the read of its payload\'s object), "domain"; a query with several root fields names them all, "domain,checkDomains"; a bulk job\'s mutation, e.g. "bulkRenew"; "_entities" for a federation router\'s reads; "poll" for the gateway\'s own poller.',
  })
  operation!: string;

  @Field({ description: 'Protocol command, e.g. "domain:create", "domain:transfer:request".' })
  command!: string;

  @Field(() => String, { nullable: true, description: 'Domain or host name, or contact id.' })
  objectName?: string | null;

  @Field(() => String, { nullable: true, description: 'Idempotency key of the mutation that sent it.' })
  idempotencyKey?: string | null;

  @Field({ description: 'Client transaction id (EPP clTRID).' })
  clientTransactionId!: string;

  @Field(() => String, { nullable: true, description: "The registry's transaction id (EPP svTRID), when an answer arrived." })
  serverTransactionId?: string | null;

  @Field(() => Int, { nullable: true, description: 'Upstream result code; null when no answer arrived.' })
  resultCode?: number | null;

  @Field(() => String, {
    nullable: true,
    description:
      "The registry's message, when an answer arrived. A native bulk request's (bulk:renew, bulk:transfer, bulk:nameservers, bulk:tech-contacts) adds what befell the domains the registry did not do inside it: \"Command completed successfully; 1 of 3 domains not transferred: a.ee (2202 Invalid authorization information)\".",
  })
  message?: string | null;

  @Field(() => Int, { nullable: true, description: 'Null while no answer has come (in flight, or its process stopped first).' })
  durationMs?: number | null;

  @Field({ description: 'When the command was sent.' })
  startedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When the answer arrived or the command failed; null while neither has happened.' })
  finishedAt?: Date | null;

  @Field(() => CommandOutcome)
  outcome!: CommandOutcome;

  @Field(() => Boolean, { nullable: true, description: 'Whether the command took effect (null: unknown).' })
  applied?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'When a reconciliation settled a command that got no answer.' })
  reconciledAt?: Date | null;
}

/** The Relay connection of the `commandLog` query, oldest first; cursor = entry id. */
export const CommandLogConnection = connectionType('CommandLog', CommandLogEntry, 'command log entries');

/** The `commandLog` query's filter (checked in src/validation/cursors.ts). */
@InputType({ description: 'All given conditions must hold.' })
export class CommandLogFilter {
  @Field(() => String, { nullable: true })
  objectName?: string | null;

  @Field(() => String, {
    nullable: true,
    description:
      'Any value an entry\'s operation shows. One name, e.g. "renewDomain", "_entities": the entries of that operation, also where it is one of a query\'s root fields ("domain,checkDomains"). A comma-joined list, e.g. "domain,checkDomains": the entries with exactly that list, in that order. Anything else is BAD_USER_INPUT on filter.operation.',
  })
  operation?: string | null;

  @Field(() => String, { nullable: true, description: 'Protocol command, e.g. "domain:renew".' })
  command?: string | null;

  @Field(() => String, { nullable: true })
  idempotencyKey?: string | null;

  @Field(() => Date, { nullable: true, description: 'Finished at or after.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Finished before.' })
  to?: Date | null;
}
