import { Arg, ID, Resolver, Root, Subscription } from 'type-graphql';
import type { GatewayContext } from '../../src/context.js';
import type { BulkJobEventView } from '../../src/bulk/stream.js';
import { BulkJobEvent } from '../../schema/bulk/bulk.type.js';
import { parseJobId } from '../../src/validation/ids.js';

/**
 * The `bulkJob` subscription: a job's progress events (src/bulk/stream.ts). An id that is not a
 * UUID is BAD_USER_INPUT on `id` before anything is read (parseJobId); a well-formed one that is
 * not the viewer's job is OBJECT_NOT_FOUND on `id`, as the query and cancelBulkJob answer.
 */
@Resolver(() => BulkJobEvent)
export class BulkSubscriptionResolver {
  @Subscription(() => BulkJobEvent, {
    name: 'bulkJob',
    description:
      "Progress of one of the viewer's bulk jobs: first its counts with every item already finished, then the counts and the outcomes of items as they finish (on any gateway instance; an item the registry only queued is sent when it becomes AWAITING_REGISTRY and again when it is settled); the stream ends after the event that shows the job finished. OBJECT_NOT_FOUND (field id) for an id that is not the viewer's; BAD_USER_INPUT (field id) for one that is not a UUID.",
    subscribe: ({ args, context }) => {
      const ctx = context as GatewayContext;
      return ctx.bulk.follow(ctx.registrar.id, parseJobId('id', (args as { id: string }).id));
    },
  })
  bulkJobStream(@Root() event: BulkJobEventView, @Arg('id', () => ID) _id: string): BulkJobEventView {
    return event;
  }
}
