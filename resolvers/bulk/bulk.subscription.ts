import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { BulkJobEventView } from '../../src/bulk/stream.js';
import { BulkJobEvent } from '../../schema/bulk/bulk.type.js';

/** The `bulkJob` subscription: a job's progress events (src/bulk/stream.ts), OBJECT_NOT_FOUND for a job id not the viewer's. */
@Resolver(() => BulkJobEvent)
export class BulkSubscriptionResolver {
  @Subscription(() => BulkJobEvent, {
    name: 'bulkJob',
    description:
      "Progress of one of the viewer's bulk jobs: first its counts with every item already finished, then the counts and the outcomes of items as they finish (on any gateway instance; an item the registry only queued is sent when it becomes AWAITING_REGISTRY and again when it is settled); the stream ends after the event that shows the job finished. OBJECT_NOT_FOUND for an id that is not the viewer's.",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      return ctx.bulk.follow(ctx.registrar.id, (args as { id: string }).id);
    },
  })
  bulkJobStream(@Root() event: BulkJobEventView, @Arg('id', () => ID) _id: string): BulkJobEventView {
    return event;
  }
}
