import type { GraphQLResolveInfo } from 'graphql';
import { Arg, Ctx, ID, Info, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { PollMessage as PollRow, Prisma } from '../../src/db/generated/client.js';
import { rowCursor, rowPage, type Page } from '../../src/connections/page.js';
import { checkPollCursor } from '../../src/poll/cursor.js';
import { toEvent } from '../../src/poll/poll.service.js';
import { parseId, pollNode } from './poll.map.js';
import { AckPollMessagePayload, PollMessage, PollMessageConnection, PollMessageType } from '../../schema/poll/poll.type.js';
import { actorOf, parsedArgs, type KeyArg, type MutationInputs } from '../common/mutate.js';
import { ackPollMessage } from '../../src/operations/poll/ack-poll-message.js';
import { checkObjectNames, checkPageSize } from '../../src/validation/cursors.js';

const nodeOf = (row: PollRow) => pollNode({ ...toEvent(row), ackedAt: row.ackedAt });

/** The parse step of ackPollMessage (common/mutate.ts MutationInputs): its resolver's first step, and the pre-pass's. */
export const pollMutationInputs = {
  ackPollMessage: (a: KeyArg & { id: string }, ctx: GatewayContext) => ({ actor: actorOf(ctx, a.idempotencyKey), id: parseId('id', a.id) }),
} satisfies MutationInputs;

/** The `pollMessages` query (stored messages, oldest first; queues drained into the store first) and ackPollMessage. */
@Resolver(() => PollMessage)
export class PollResolver {
  @Query(() => PollMessageConnection, {
    description:
      "The viewer's poll messages, oldest first. For a page that reaches the end of the stored messages, the gateway first moves any messages waiting in the registries' queues into its store (they follow every stored one); reading does not acknowledge.",
  })
  async pollMessages(
    @Arg('first', () => Int, { defaultValue: 50 }) first: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor: a message id.' }) after: string | null,
    @Arg('types', () => [PollMessageType], { nullable: true, description: 'Only messages of these types; null or an empty list: of every type.' }) types: PollMessageType[] | null,
    @Arg('objects', () => [String], { nullable: true, description: 'Only messages about these domains/hosts; null or an empty list: about any object.' }) objects: string[] | null,
    @Arg('includeAcknowledged', { defaultValue: false }) includeAcknowledged: boolean,
    @Ctx() ctx: GatewayContext,
  ): Promise<Page<PollMessage>> {
    checkPageSize('first', first);
    const afterId = rowCursor(after, 'poll message id');
    // Aliases over one list (one variable) share its normalisation (src/validation/list-parses.ts).
    const objectNames = objects?.length ? ctx.lists.once('pollMessages objects[i]', objects, () => checkObjectNames('objects', objects)) : null;
    // Before the registries' queues are read: a cursor always names a message already stored.
    if (afterId !== null) await checkPollCursor(ctx.prisma, ctx.registrar.id, afterId);
    const where: Prisma.PollMessageWhereInput = {
      registrarId: ctx.registrar.id,
      ...(types?.length ? { type: { in: types } } : {}),
      ...(objectNames ? { objectName: { in: objectNames } } : {}),
      ...(includeAcknowledged ? {} : { ackedAt: null }),
    };
    const read = () => ctx.prisma.pollMessage.findMany({ where: afterId ? { ...where, id: { gt: afterId } } : where, orderBy: { id: 'asc' }, take: first + 1 });
    // The registries' queues are drained first only for a page that reaches the end of what is
    // stored: a message drained now is stored after every one there (a higher id), so a page the
    // store fills (first + 1 rows) is the same with or without it. A walk through stored messages
    // waited for a fresh round of every account at each page (1 s at HeadlessDomains, whose
    // poller's share of its rate limit is one GET /poll a second: a subscriptions trial).
    let rows = await read();
    if (rows.length <= first) {
      await ctx.ingester.drainNow(ctx.registrar.id);
      rows = await read();
    }
    const before = afterId !== null && (async () => (await ctx.prisma.pollMessage.findFirst({ where: { ...where, id: { lte: afterId } }, select: { id: true } })) !== null);
    return rowPage(rows, first, (row) => ({ cursor: row.id.toString(), node: nodeOf(row) }), before);
  }

  @Mutation(() => AckPollMessagePayload, { nullable: true, description: 'Mark a stored poll message as handled by the viewer.' })
  async ackPollMessage(@Arg('idempotencyKey') key: string, @Arg('id', () => ID) rawId: string, @Ctx() ctx: GatewayContext, @Info() info: GraphQLResolveInfo) {
    const { actor, id } = parsedArgs(ctx, info, pollMutationInputs.ackPollMessage, { idempotencyKey: key, id: rawId });
    const registrarId = actor.registrarId;
    const { replayed } = await ackPollMessage(ctx, actor, id, rawId);
    const row = await ctx.prisma.pollMessage.findFirstOrThrow({ where: { id, registrarId } });
    const remaining = await ctx.prisma.pollMessage.count({ where: { registrarId, ackedAt: null } });
    return { message: nodeOf(row), remaining, replayed };
  }
}
