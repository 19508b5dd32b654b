#!/usr/bin/env node
/**
 * Cost of the EPP sandbox's schema check (src/sandbox/epp/schema.ts) per incoming frame.
 *
 *   npm run build && node bench/epp-schema.mjs [--frames 5000]
 *
 * Prints the one-off schema compilation time, then the mean time per frame for a valid
 * domain:create, the same create with an unknown element (2001), and a 1 MB frame, and the
 * process's resident memory before and after. It prints figures; it asserts nothing.
 */
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const FRAMES = arg('frames', 5000);
const mib = () => (process.memoryUsage().rss / 1048576).toFixed(0);

const rssBefore = mib();
const { loadSchema, schemaViolation } = await import('../dist/src/sandbox/epp/schema.js');
let t = performance.now();
loadSchema();
console.log(`schema compiled once: ${(performance.now() - t).toFixed(0)} ms (RSS ${rssBefore} -> ${mib()} MiB)`);

const create = (name, extra = '') => `<?xml version="1.0" encoding="UTF-8"?>
<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><create>
<domain:create xmlns:domain="urn:ietf:params:xml:ns:domain-1.0"><domain:name>${name}</domain:name>
<domain:period unit="y">2</domain:period><domain:ns><domain:hostObj>ns1.example.net</domain:hostObj></domain:ns>
<domain:authInfo><domain:pw>2fooBAR</domain:pw></domain:authInfo>${extra}</domain:create></create>
<clTRID>ABC-12345</clTRID></command></epp>`;
const big = `<epp xmlns="urn:ietf:params:xml:ns:epp-1.0"><command><check><domain:check xmlns:domain="urn:ietf:params:xml:ns:domain-1.0">${'<domain:name>a-rather-long-label-to-fill-the-frame.example</domain:name>'.repeat(15_000)}</domain:check></check><clTRID>ABC-12345</clTRID></command></epp>`;

for (const [label, xml, n] of [
  ['valid create', create('example.tld'), FRAMES],
  ['create with <domain:bogus/> (2001)', create('example.tld', '<domain:bogus/>'), FRAMES],
  [`check of 15,000 names (${(big.length / 1048576).toFixed(2)} MB)`, big, 20],
]) {
  t = performance.now();
  let invalid = 0;
  for (let i = 0; i < n; i++) if (schemaViolation(xml)) invalid++;
  const per = (performance.now() - t) / n;
  console.log(`${label.padEnd(44)} ${per < 1 ? `${(per * 1000).toFixed(0)} µs` : `${per.toFixed(1)} ms`} per frame (${invalid}/${n} refused)`);
}
console.log(`RSS after: ${mib()} MiB`);
