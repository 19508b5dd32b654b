import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { connectionType } from '../common/connection.js';
import { Transfer } from '../transfer/transfer.type.js';

/** GraphQL PollMessageType (src/poll/classify.ts PollType). */
export enum PollMessageType {
  TRANSFER_REQUESTED = 'TRANSFER_REQUESTED',
  TRANSFER_APPROVED = 'TRANSFER_APPROVED',
  TRANSFER_REJECTED = 'TRANSFER_REJECTED',
  TRANSFER_CANCELLED = 'TRANSFER_CANCELLED',
  TRANSFER_AUTO_APPROVED = 'TRANSFER_AUTO_APPROVED',
  AUTORENEWED = 'AUTORENEWED',
  DELETED = 'DELETED',
  PENDING_ACTION_COMPLETED = 'PENDING_ACTION_COMPLETED',
  STATUS_CHANGED = 'STATUS_CHANGED',
  BALANCE_LOW = 'BALANCE_LOW',
  OTHER = 'OTHER',
}
registerEnumType(PollMessageType, { name: 'PollMessageType' });

/** GraphQL ObjectKind: what kind of registry object a poll message is about (RFC 5731-5733). */
export enum ObjectKind {
  DOMAIN = 'domain',
  CONTACT = 'contact',
  HOST = 'host',
}
registerEnumType(ObjectKind, { name: 'ObjectKind' });

/** GraphQL PollAudit (HeadlessDomains audit rows). */
@ObjectType({ description: "A registry's audit row of one command (HeadlessDomains GET /poll), for reconciling with the gateway's command log." })
export class PollAudit {
  @Field({ description: 'The audit row id (also the message upstreamId).' }) auditRowId!: string;
  @Field(() => String, { nullable: true, description: "The registry's command id (the serverTransactionId of the gateway's answer)." }) commandId?: string | null;
  @Field(() => String, { nullable: true }) command?: string | null;
  @Field(() => String, { nullable: true, description: 'The idempotency key the command carried (the gateway sends its own).' }) idempotencyKey?: string | null;
  @Field(() => String, { nullable: true, description: 'succeeded, failed, pending_backend_apply or applied.' }) status?: string | null;
  @Field(() => Int, { nullable: true }) httpStatus?: number | null;
  @Field(() => String, { nullable: true, description: 'registrar.channel_id of the row: equals the account status auditChannelId.' }) channelId?: string | null;
  @Field(() => Date, { nullable: true }) createdAt?: Date | null;
  @Field(() => Date, { nullable: true }) completedAt?: Date | null;
}

/** GraphQL PollMessage, one poll_messages row (src/poll/poll.service.ts toEvent). */
@ObjectType({ description: 'A message from a registry poll queue, stored by the gateway before it was acknowledged upstream.' })
export class PollMessage {
  @Field(() => ID, { description: 'Gateway message id; also the cursor for replay.' })
  id!: string;

  @Field()
  registry!: string;

  @Field(() => PollMessageType)
  type!: PollMessageType;

  @Field(() => ObjectKind, { nullable: true })
  objectKind?: ObjectKind | null;

  @Field(() => String, { nullable: true })
  objectName?: string | null;

  @Field()
  message!: string;

  @Field({ description: 'Message id in the upstream queue.' })
  upstreamId!: string;

  @Field({ description: 'When the registry queued it.' })
  queuedAt!: Date;

  @Field({ description: 'When the gateway stored it.' })
  receivedAt!: Date;

  @Field(() => Date, { nullable: true, description: 'When this registrar acknowledged it through the gateway.' })
  acknowledgedAt?: Date | null;

  @Field(() => Transfer, { nullable: true })
  transfer?: Transfer | null;

  @Field(() => PollAudit, { nullable: true, description: "The registry's command audit row this message is (HeadlessDomains GET /poll); null for other messages." })
  audit?: PollAudit | null;

  @Field({ description: 'The upstream payload as received, for debugging.' })
  raw!: string;
}

/** The Relay connection of the `pollMessages` query; cursor = message id. */
export const PollMessageConnection = connectionType('PollMessage', PollMessage, 'poll messages');

/** ackPollMessage's answer. */
@ObjectType()
export class AckPollMessagePayload {
  @Field(() => PollMessage)
  message!: PollMessage;

  @Field(() => Int, { description: 'Messages this registrar has not acknowledged yet.' })
  remaining!: number;

  @Field()
  replayed!: boolean;
}
