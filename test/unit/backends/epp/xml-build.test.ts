/**
 * The EPP command serialiser (src/backends/epp/xml/build.ts) writes what fast-xml-parser's
 * XMLBuilder wrote before it (preserveOrder, suppressEmptyNode, processEntities), byte for byte:
 * the same escaping of text and attribute values, the same empty elements. Checked over every
 * character class that matters to markup, on generated trees (a fixed seed, so a failure repeats).
 */
import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { XML_DECLARATION, toXml, type XNode } from '../../../../src/backends/epp/xml/build.js';

const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true, processEntities: true, format: false });

/** The tree as XMLBuilder's ordered input, as build.ts made it before. */
function ordered(n: XNode): Record<string, unknown> {
  const o: Record<string, unknown> = { [n.name]: n.text !== undefined && n.text !== '' ? [{ '#text': n.text }] : n.children.map(ordered) };
  if (Object.keys(n.attrs).length > 0) o[':@'] = Object.fromEntries(Object.entries(n.attrs).map(([k, v]) => [`@_${k}`, v]));
  return o;
}

const PIECES = ['a', 'Z', '0', ' ', '  ', '\t', '\n', '\r', '&', '<', '>', '"', "'", '&amp;', '&lt;', 'x&#65;', 'é', '😀', '\u00a0', ';', '=', '/', '?', '#', '%', '\\', '@_', '#text', ':@', ']]>'];

describe('toXml', () => {
  it('writes what XMLBuilder wrote for the same tree', () => {
    let seed = 1;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const text = () => Array.from({ length: rand(6) }, () => PIECES[rand(PIECES.length)]).join('');
    const tree = (depth: number): XNode => {
      const n: XNode = { name: ['epp', 'command', 'domain:name', 'secDNS:keyData'][rand(4)]!, attrs: {}, children: [] };
      for (let i = rand(3); i > 0; i--) n.attrs[['xmlns', 'xmlns:domain', 'op', 's'][rand(4)]!] = text();
      if (depth > 3 || rand(3) === 0) {
        if (rand(4) > 0) n.text = text();
      } else for (let i = rand(4); i > 0; i--) n.children.push(tree(depth + 1));
      return n;
    };
    let differing = 0;
    for (let i = 0; i < 20_000; i++) {
      const t = tree(0);
      if (toXml(t) !== XML_DECLARATION + builder.build([ordered(t)])) differing++;
    }
    expect(differing).toBe(0);
  });
});
