/** The root field names a query's commands are logged under (src/commandlog/attribution.ts). */
import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { rootFieldNames } from '../../../src/commandlog/attribution.js';

function names(text: string): string[] {
  const doc = parse(text);
  const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION) as OperationDefinitionNode;
  const fragments = Object.fromEntries(doc.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]));
  return rootFieldNames(op.selectionSet, fragments);
}

describe('rootFieldNames', () => {
  it('names each root field once, in document order, aliases by their field', () => {
    expect(names('{ a: domain(name: "a.tld") { name } b: domain(name: "b.tld") { name } }')).toEqual(['domain']);
    expect(names('{ viewer { id } domains { edges { cursor } } domain(name: "a.tld") { name } }')).toEqual(['viewer', 'domains', 'domain']);
  });

  it('follows fragments at the root, inline and spread, and leaves introspection out', () => {
    expect(names('query { __typename ...F ... on Query { checkDomains(names: ["a.tld"]) { available } } } fragment F on Query { viewer { id } ...F2 } fragment F2 on Query { viewer { id } }')).toEqual(['viewer', 'checkDomains']);
  });
});
