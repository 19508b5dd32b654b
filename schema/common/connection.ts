/**
 * Relay cursor connections (the GraphQL Cursor Connections Specification, relay.dev/graphql/
 * connections.htm): every list of the schema that grows (domains, poll messages, the command log,
 * bulk items) is a `<Name>Connection { edges { cursor node } pageInfo }` paged forward with
 * `first` and `after`. `connectionType` declares both types of one connection; the resolver side
 * (building pages, reading cursors) is src/connections/page.ts.
 */
import { Field, ObjectType, type ClassType } from 'type-graphql';

/** GraphQL PageInfo of every connection (relay.dev/graphql/connections.htm; src/connections/page.ts). */
@ObjectType({ description: 'Where a page of a connection stands (Relay PageInfo).' })
export class PageInfo {
  @Field({ description: 'More edges follow this page: ask again with `after: endCursor`. A page is never empty while this is true.' })
  hasNextPage!: boolean;

  @Field({ description: 'Edges come before this page (that is, before `after`); false on a first page.' })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge of this page (null when it is empty).' })
  startCursor?: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge of this page (null when it is empty): the `after` of the next page.' })
  endCursor?: string | null;
}

/**
 * The connection type `<name>Connection`, with its edge type `<name>Edge`; `plural` names the
 * nodes in descriptions. `nullableNode` (its description) makes `node` nullable, for a connection
 * whose nodes are read one by one from registries that may fail while the others answer (domains):
 * a node that could not be read is null with its error at its path, the edge and its cursor stay.
 * Connections over the gateway's own store keep `node` non-null.
 */
export function connectionType<T extends object>(name: string, Node: ClassType<T>, plural: string, opts: { nullableNode?: string } = {}) {
  @ObjectType(`${name}Edge`, { description: `One of the ${plural}, with its cursor.` })
  class Edge {
    @Field({ description: 'Pass it as `after` to continue after this edge.' })
    cursor!: string;

    @Field(() => Node, opts.nullableNode === undefined ? {} : { nullable: true, description: opts.nullableNode })
    node!: T | null;
  }

  @ObjectType(`${name}Connection`, { description: `A page of ${plural} (Relay cursor connection: \`first\`, \`after\`).` })
  class Connection {
    @Field(() => [Edge])
    edges!: Edge[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;
  }

  return Connection;
}
