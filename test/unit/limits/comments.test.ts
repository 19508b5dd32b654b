/** countComments against what graphql-js's lexer calls a comment, on the cases a one-pass scan can get wrong. */
import { Lexer, Source, TokenKind } from 'graphql';
import { describe, expect, it } from 'vitest';
import { countComments } from '../../../src/limits/comments.js';

/** The comments graphql-js's lexer reads (its tokens linked from the first one). */
function lexerComments(text: string): number {
  const lexer = new Lexer(new Source(text));
  while (lexer.advance().kind !== TokenKind.EOF);
  let n = 0;
  for (let t: ReturnType<Lexer['advance']> | null = lexer.token; t; t = t.prev) if (t.kind === TokenKind.COMMENT) n++;
  return n;
}

const cases: Array<[string, string, number]> = [
  ['plain lines', '{ a }\n# one\n# two\r\n# three\r# four', 4],
  ['# inside a string', '{ a(s: "#not") # yes\n}', 1],
  ['an escaped quote inside a string', '{ a(s: "x\\"#not") # yes\n}', 1],
  ['an escaped backslash before the closing quote', '{ a(s: "x\\\\") # yes\n}', 1],
  ['# inside a block string, over lines', '{ a(s: """\n# not\n#not""") # yes\n}', 1],
  ['an escaped triple quote inside a block string', '{ a(s: """x\\"""#not""") # yes\n}', 1],
  ['a comment holding quotes', '{ a } # "not a string\n# """ nor this\n', 2],
  ['an empty string then a comment', '{ a(s: "") #yes\n}', 1],
];

describe('countComments', () => {
  for (const [what, text, n] of cases) {
    it(`counts as graphql-js's lexer does: ${what}`, () => {
      expect(lexerComments(text)).toBe(n);
      expect(countComments(text, 100)).toBe(n);
    });
  }

  it('stops counting past max + 1', () => {
    expect(countComments('#\n'.repeat(10_000), 5)).toBe(6);
  });
});
