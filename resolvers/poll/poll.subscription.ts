import { Arg, Resolver, Root, Subscription } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import { checkPollCursor } from '../../src/poll/cursor.js';
import { pollStream } from '../../src/poll/stream.js';
import type { PollEvent } from '../../src/pubsub/poll-events.js';
import { checkObjectNames } from '../../src/validation/cursors.js';
import { PollMessage, PollMessageType } from '../../schema/poll/poll.type.js';
import { parseId, pollNode } from './poll.map.js';

interface StreamArgs {
  after?: string | null;
  types?: PollMessageType[] | null;
  objects?: string[] | null;
}

/** The `pollMessages` subscription: stored messages after the cursor, then live ones, in id order (src/poll/stream.ts); SUBSCRIBER_TOO_SLOW when it falls behind. */
@Resolver(() => PollMessage)
export class PollSubscriptionResolver {
  @Subscription(() => PollMessage, {
    name: 'pollMessages',
    description:
      "The viewer's poll messages as they arrive. With `after` (the id of the last message you handled), the stored messages after it come first, then live ones, in increasing id order with no gap and no duplicate: reconnect with the last id you received and you miss nothing.",
    subscribe: async ({ args, context }) => {
      const a = args as StreamArgs;
      const ctx = context as GatewayContext;
      const objects = a.objects ? checkObjectNames('objects', a.objects) : null;
      // `after: ""` is refused as the query refuses it, not taken for "no cursor".
      const after = a.after === null || a.after === undefined ? null : parseId('after', a.after);
      if (after !== null) await checkPollCursor(ctx.prisma, ctx.registrar.id, after);
      return pollStream(ctx.prisma, ctx.events, { registrarId: ctx.registrar.id, after, types: a.types ?? null, objects, pay: ctx.payRows });
    },
  })
  pollMessagesStream(
    @Root() event: PollEvent,
    @Arg('after', () => String, { nullable: true, description: 'Cursor: replay stored messages after this id first.' }) _after: string | null,
    @Arg('types', () => [PollMessageType], { nullable: true, description: 'Only messages of these types; null or an empty list: of every type.' }) _types: PollMessageType[] | null,
    @Arg('objects', () => [String], { nullable: true, description: 'Only messages about these domains/hosts; null or an empty list: about any object.' }) _objects: string[] | null,
  ): PollMessage {
    return pollNode(event);
  }
}
