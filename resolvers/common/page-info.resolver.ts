import { FieldResolver, Resolver, Root } from 'type-graphql';
import { PageInfo } from '../../schema/common/connection.js';
import type { PageInfoSource } from '../../src/connections/page.js';

/** Reads `hasPreviousPage` from the store only for clients that select it (src/connections/page.ts). */
@Resolver(() => PageInfo)
export class PageInfoResolver {
  @FieldResolver(() => Boolean)
  hasPreviousPage(@Root() info: PageInfoSource): boolean | Promise<boolean> {
    return typeof info.hasPreviousPage === 'function' ? info.hasPreviousPage() : info.hasPreviousPage;
  }
}
