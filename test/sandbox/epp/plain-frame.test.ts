/**
 * The sandbox reads most frames once, with libxml2, while validating them (readPlainFrame), and
 * the others with fast-xml-parser (parseXml) as before; it writes answers with its own serialiser
 * instead of fast-xml-parser's builder. Both shortcuts must change nothing a client can see:
 * - every frame readPlainFrame accepts yields exactly the tree parseXml yields for the same text,
 *   and a frame it refuses carries exactly the violation schemaViolation reports;
 * - frames where the two parsers could differ (character references, CR, CDATA, comments,
 *   non-ASCII, whitespace inside attribute values...) are left to the general path;
 * - the serialiser writes byte for byte what fast-xml-parser's builder wrote with the options the
 *   sandbox used.
 */
import { XMLBuilder } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { readPlainFrame, schemaViolation } from '../../../src/sandbox/epp/schema.js';
import { buildDocument, buildFragment, parseXml, x, type XNode } from '../../../src/sandbox/epp/xml.js';
import { allFixtures, fixture } from '../../helpers/epp-fixtures.js';

const DOMAIN = 'urn:ietf:params:xml:ns:domain-1.0';
const EPP = 'urn:ietf:params:xml:ns:epp-1.0';

/** What the sandbox does with a frame's text on either path: the tree, or the violation. */
function general(xml: string): unknown {
  const violation = schemaViolation(xml);
  return violation ? { violation } : { root: parseXml(xml) };
}

const info = (name: string, extra = '') =>
  `<?xml version="1.0" encoding="UTF-8"?><epp xmlns="${EPP}"><command><info><domain:info xmlns:domain="${DOMAIN}"><domain:name hosts="all">${name}</domain:name>${extra}</domain:info></info><clTRID>ABC-12345</clTRID></command></epp>`;

const ack = (msgID: string) => `<epp xmlns="${EPP}"><command><poll op="ack" msgID="${msgID}"/><clTRID>ABC-12345</clTRID></command></epp>`;

describe('readPlainFrame', () => {
  it('gives parseXml\'s tree for every shared fixture it reads, and schemaViolation\'s reason for the others', () => {
    const all = allFixtures();
    let plain = 0;
    for (const rel of all) {
      const xml = fixture(rel);
      const read = readPlainFrame(Buffer.from(xml, 'utf8'));
      if (read === undefined) continue;
      plain++;
      if (read.root) expect({ root: read.root }, rel).toEqual(general(xml));
      else expect(read.violation, rel).toEqual(schemaViolation(xml));
    }
    expect(plain).toBeGreaterThan(0.9 * all.length); // all but those with comments (pretty-printed, some with entities)
  });

  it('agrees with parseXml on whitespace, named entities, attribute quoting and prefixes', () => {
    const frames = [
      info('example.tld'),
      info('  example.tld\n\t'),
      info('exa&amp;mple.tld'), // valid token, refused later by the flow: same either way
      info('example.tld', '<domain:authInfo><domain:pw>a&lt;b&gt;c&quot;d&apos;e&amp;f</domain:pw></domain:authInfo>'),
      info('example.tld', '<domain:authInfo><domain:pw>  spaced  out  </domain:pw></domain:authInfo>'),
      info('example.tld', '<domain:authInfo>\n  <domain:pw roid="  EXAMPLE1-REP  ">secret</domain:pw>\n</domain:authInfo>'),
      info('example.tld').replace('hosts="all"', "hosts='del'"),
      info('example.tld').replace('hosts="all"', 'hosts = "none"'),
      info('example.tld').replace(`<epp xmlns="${EPP}">`, `<e:epp xmlns:e="${EPP}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="${EPP} epp-1.0.xsd">`).replace('</epp>', '</e:epp>').replace(/<(\/?)(command|info|clTRID)>/g, '<$1e:$2>'),
      info('example.tld').replace('<?xml version="1.0" encoding="UTF-8"?>', ''),
      info('example.tld').replace('<?xml version="1.0" encoding="UTF-8"?>', "<?xml version='1.0' standalone='yes' ?>\n"),
      `${info('example.tld')}\n\n`,
      ack(' 12 '),
    ];
    for (const xml of frames) {
      const read = readPlainFrame(Buffer.from(xml));
      expect(read?.root, xml).toBeDefined();
      expect({ root: read!.root }, xml).toEqual(general(xml));
    }
  });

  it('agrees with the general path on 3,000 fixtures edited at random (whitespace, entities, quoting, stray characters)', () => {
    const base = allFixtures().map((rel) => fixture(rel));
    let seed = 20261201;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor((seed / 2147483648) * n);
    };
    const texts = [' ', '\n', '\t', '  \n\t ', '&amp;', '&lt;', '&gt;', '&quot;', '&apos;', 'x', ' y z '];
    const quoting = [`$1 = '$2'`, '$1="  $2 "', '$1=\n"$2"', '$1="$2&amp;"', '$1="\t$2"', '$1="$2\n"'];
    const strays = [' ', '&', ';', '<', '>', '/', '"', "'", '=', ':', 'x:', ' a="b"', '<a/>', '</a>', ']]>', '&foo;'];
    const seen = { valid: 0, invalid: 0 };
    for (let i = 0; i < 3000; i++) {
      let xml = base[rnd(base.length)]!;
      for (let k = 1 + rnd(3); k > 0; k--) {
        const pos = rnd(xml.length);
        const op = rnd(10);
        if (op < 5) {
          const at = xml.indexOf(op < 3 ? '>' : '<', pos);
          if (at < 0) continue;
          const ins = xml[at] === '>' ? at + 1 : at;
          xml = xml.slice(0, ins) + texts[rnd(texts.length)]! + xml.slice(ins);
        } else if (op < 7) {
          const attrs = [...xml.matchAll(/(\w)="([^"]*)"/g)];
          if (attrs.length === 0) continue;
          const a = attrs[rnd(attrs.length)]!;
          xml = xml.slice(0, a.index) + a[0].replace(/(\w)="([^"]*)"/, quoting[rnd(quoting.length)]!) + xml.slice(a.index + a[0].length);
        } else if (op < 9) {
          xml = xml.slice(0, pos) + strays[rnd(strays.length)]! + xml.slice(pos);
        } else {
          xml = xml.slice(0, pos) + xml.slice(pos + 1 + rnd(3));
        }
      }
      const read = readPlainFrame(Buffer.from(xml, 'utf8'));
      if (read?.root) {
        seen.valid++;
        expect(read.root, xml).toEqual(parseXml(xml)); // parseXml throws where fast-xml-parser refuses the frame
      } else if (read) {
        seen.invalid++;
        expect(read.violation, xml).toEqual(schemaViolation(xml));
      }
    }
    expect(seen.valid).toBeGreaterThan(500);
    expect(seen.invalid).toBeGreaterThan(500);
  });

  it('reports the violation schemaViolation reports (invalid or not well-formed frames)', () => {
    const frames = [
      info('example.tld').replace('hosts="all"', 'hosts="some"'),
      info('example.tld', '<domain:bogus/>'),
      info('example.tld').replace('</epp>', ''),
      info('example.tld').replace('<domain:name', '<dom:name').replace('</domain:name>', '</dom:name>'),
      info('exa&nbsp;mple.tld'),
      info('exa&mple.tld'),
      '<epp/>',
      'not xml',
    ];
    for (const xml of frames) {
      const read = readPlainFrame(Buffer.from(xml));
      expect(read?.violation, xml).toBeDefined();
      expect(read!.violation, xml).toEqual(schemaViolation(xml));
    }
  });

  it('leaves frames where the two parsers could differ to the general path', () => {
    const frames = [
      info('ex&#97;mple.tld'), // fast-xml-parser leaves character references as they are
      info('ex&#x61;mple.tld'),
      info('example.tld\r\n'),
      info('<![CDATA[example.tld]]>'),
      info('example<!-- a comment -->.tld'),
      info('example.tld', '<?pi data?>'),
      info('exämple.tld'),
      info('example.tld').replace('<?xml', '\uFEFF<?xml'),
      ack('12\n34'), // libxml2 turns the newline into a space, fast-xml-parser keeps it
      ack('12\t34'),
      ack('12 34'),
      `<!DOCTYPE epp>${info('example.tld').replace('<?xml version="1.0" encoding="UTF-8"?>', '')}`,
      info('example.tld').replace('<?xml version="1.0" encoding="UTF-8"?>', '<?xml-stylesheet href="a"?>'),
    ];
    for (const xml of frames) expect(readPlainFrame(Buffer.from(xml, 'utf8')), xml).toBeUndefined();
  });
});

describe('the serialiser', () => {
  // What the sandbox gave fast-xml-parser's builder before: the same tree in its ordered form.
  type Ordered = Record<string, unknown>;
  const toOrdered = (node: XNode): Ordered => {
    const inner: Ordered[] = node.children.map(toOrdered);
    if (node.text !== undefined && node.text !== '') inner.unshift({ '#text': node.text });
    const out: Ordered = { [node.tag]: inner };
    if (Object.keys(node.attrs).length > 0) out[':@'] = { ...node.attrs };
    return out;
  };
  const builder = new XMLBuilder({ preserveOrder: true, ignoreAttributes: false, attributeNamePrefix: '', suppressEmptyNode: true, format: false, processEntities: true });
  const declaration = '<?xml version="1.0" encoding="UTF-8" standalone="no"?>';

  it('writes what fast-xml-parser\'s builder wrote', () => {
    const nasty = `a&b<c>d'e"f &amp; &#65; ]]> \u00e9\u{1F600}`;
    const trees: XNode[] = [
      x('epp', { xmlns: EPP }),
      x('epp', { xmlns: EPP }, x('response', null, x('result', { code: '1000' }, x('msg', null, 'Command completed successfully')))),
      x('msg', { lang: 'en' }, nasty),
      x('value', null, x('domain:bogus', { 'xmlns:domain': DOMAIN })),
      x('value', null, x('bogus', { xmlns: '' })),
      x('a', { q: nasty, empty: '', skipped: undefined }, 'text', 3, x('b', null), ' more', false, null, undefined, [x('c', null, 'c1'), null, 'tail']),
      x('a', null, '', x('b', null, '')),
      x('a', null, 0),
      x('a', { '2': 'two', b: 'b', '1': 'one' }, x('b', null, '  spaced  ')),
    ];
    for (const tree of trees) {
      expect(buildFragment(tree)).toBe(String(builder.build([toOrdered(tree)])));
      expect(buildDocument(tree)).toBe(declaration + String(builder.build([toOrdered(tree)])));
    }
  });
});
