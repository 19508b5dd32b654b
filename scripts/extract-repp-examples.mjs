#!/usr/bin/env node
/**
 * Extracts every request and response example of the Estonian Internet Foundation's REPP API
 * document (shared/upstream/002_13834b2b835d5bf6.txt) into test/fixtures/repp/examples.json.
 *
 *   node scripts/extract-repp-examples.mjs [path/to/002_13834b2b835d5bf6.txt]
 *
 * An example is a `curl` command (method, URL, headers, `--data-raw` body) followed by the JSON
 * blocks the document shows for it ("The above command returns JSON structured like this:").
 * Each entry keeps the document's line numbers, its section heading and the documented endpoint
 * (the "HTTP Request" line that follows it), and the response text VERBATIM: several examples
 * have trailing commas or repeated keys, which JSON.parse rejects or collapses; the tests say
 * where they normalise that (test/helpers/repp-examples.ts).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const source = process.argv[2] ?? path.join(root, '..', 'shared', 'upstream', '002_13834b2b835d5bf6.txt');
const lines = readFileSync(source, 'utf8').split('\n');

/** Top-level headings of the document, in order. */
const SECTIONS = ['Billing', 'Poll messages', 'Contacts', 'Domains', 'Nameservers', 'DNSSEC', 'Statuses', 'Transfers', 'Bulk actions'];
const ENDPOINT = /^(GET|POST|PUT|PATCH|DELETE) (\/repp\/\S+)$/;

/** Splits a shell command line into words, honouring single quotes (the document uses no others). */
function shellWords(text) {
  const words = [];
  let cur = null;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated quote in: ${text.slice(i, i + 40)}`);
      cur = (cur ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '\\' && text[i + 1] === '\n') {
      i++; // line continuation
    } else if (/\s/.test(c)) {
      if (cur !== null) words.push(cur);
      cur = null;
    } else {
      cur = (cur ?? '') + c;
    }
  }
  if (cur !== null) words.push(cur);
  return words;
}

function parseCurl(text) {
  const words = shellWords(text);
  const req = { method: 'GET', url: '', headers: {}, body: null };
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    if (w === '--location') continue;
    else if (w === '--request') req.method = words[++i];
    else if (w === '--header') {
      const h = words[++i];
      const colon = h.indexOf(':');
      req.headers[h.slice(0, colon).trim()] = h.slice(colon + 1).trim();
    } else if (w === '--data-raw') req.body = words[++i];
    else if (!w.startsWith('-')) req.url = w;
    else throw new Error(`unknown curl option ${w}`);
  }
  const u = new URL(req.url);
  return { ...req, path: decodeURIComponent(u.pathname), query: Object.fromEntries(u.searchParams), body: req.body === '' ? null : req.body };
}

/** The curl command starting at line i: continues while a line ends with "\" or a quote is open. */
function curlAt(i) {
  let text = '';
  let j = i;
  for (;;) {
    const line = lines[j];
    text += (text ? '\n' : '') + line;
    const quotes = (text.match(/'/g) ?? []).length;
    j++;
    if (quotes % 2 === 0 && !line.trimEnd().endsWith('\\')) {
      // a blank line after a continuation (the "Delete a specific domain" example) continues too
      if (line.trim() === '' && text.trimEnd().endsWith('\\')) continue;
      break;
    }
  }
  return { text: text.replace(/\\\n\s*\n/g, '\\\n'), end: j };
}

/** A JSON block: from a line that is exactly "{" to the next line that is exactly "}". */
function jsonAt(i) {
  let j = i;
  while (lines[j].trimEnd() !== '}') j++;
  return { text: lines.slice(i, j + 1).join('\n'), end: j + 1 };
}

const examples = [];
let section = null;
let intro = null;
let title = null;
for (let i = 0; i < lines.length; ) {
  const line = lines[i].trimEnd();
  if (SECTIONS.includes(line)) section = line;
  if (line.startsWith('curl ')) {
    const { text, end } = curlAt(i);
    let endpoint = null;
    for (let k = end; k < lines.length && !lines[k].startsWith('curl '); k++) {
      const m = ENDPOINT.exec(lines[k].trim());
      if (m) {
        endpoint = `${m[1]} ${m[2]}`;
        break;
      }
    }
    examples.push({ line: i + 1, section, title, endpoint, request: { ...parseCurl(text), curl: text }, responses: [] });
    title = null;
    i = end;
    continue;
  }
  if (line === '{') {
    const { text, end } = jsonAt(i);
    examples.at(-1).responses.push({ line: i + 1, intro, text });
    intro = null;
    i = end;
    continue;
  }
  if (/JSON structured like this:$/.test(line)) intro = line;
  else if (line !== '' && !/\s(Yes|No|False)\s/.test(line) && !line.startsWith('Parameter ') && line.length < 60 && !ENDPOINT.test(line) && line !== 'HTTP Request') title = line;
  i++;
}

// "Both commands above return JSON structured like this": a curl with no answer of its own shares the next one's.
for (let k = examples.length - 2; k >= 0; k--) {
  if (examples[k].responses.length === 0) {
    examples[k].responses = examples[k + 1].responses;
    examples[k].endpoint ??= examples[k + 1].endpoint;
  }
}
// Ids in document order, from the endpoint: "GET /repp/v1/domains/:domain_name" -> "domains-info" etc. are
// not stable enough to guess, so the id is the section and a running number, plus the endpoint for reading.
const counts = new Map();
for (const e of examples) {
  const base = e.section.toLowerCase().replace(/\s+/g, '-');
  const n = (counts.get(base) ?? 0) + 1;
  counts.set(base, n);
  e.id = `${base}-${n}`;
}

const out = {
  source: 'shared/upstream/002_13834b2b835d5bf6.txt (Estonian Internet Foundation, REPP API documentation)',
  generatedBy: 'scripts/extract-repp-examples.mjs',
  examples: examples.map(({ id, line, section, title, endpoint, request, responses }) => ({ id, line, section, title, endpoint, request, responses })),
};
const target = path.join(root, 'test', 'fixtures', 'repp', 'examples.json');
writeFileSync(target, JSON.stringify(out, null, 2) + '\n');
console.log(`${examples.length} examples, ${examples.reduce((n, e) => n + e.responses.length, 0)} responses -> ${path.relative(root, target)}`);
