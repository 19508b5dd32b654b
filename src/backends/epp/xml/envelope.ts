/** The <epp> envelope: command frames out, response and greeting frames in (RFC 5730 section 2). */
import { NS } from './namespaces.js';
import { el, leaf, toXml, type XNode } from './build.js';
import { parseXml } from './parse.js';
import {
  EppProtocolError,
  child,
  childDate,
  childText,
  children,
  deepText,
  required,
  textOf,
  toInt,
  type XmlElement,
} from './tree.js';

/** A command frame: `<epp><command><verb>…</verb><extension>…</extension><clTRID/></command></epp>`. */
export function commandFrame(verb: XNode, clTRID: string, extensions: XNode[] = []): string {
  return toXml(
    el(
      'epp',
      { xmlns: NS.epp },
      el('command', null, verb, extensions.length > 0 && el('extension', null, extensions), leaf('clTRID', clTRID)),
    ),
  );
}

/** An object command: `<verb [op]><prefix:verb xmlns:prefix=…>…</prefix:verb></verb>`. */
export function objectCommand(
  verb: string,
  object: XNode,
  clTRID: string,
  extensions: XNode[] = [],
  verbAttrs?: Record<string, string>,
): string {
  return commandFrame(el(verb, verbAttrs ?? null, object), clTRID, extensions);
}

/** One `<result>` of a response (RFC 5730 section 2.6): its code attribute, `<msg>` text and `<extValue>` `<reason>` texts. */
export interface EppResult {
  code: number;
  message: string;
  /** extValue reasons and value texts, where the server gave them. */
  reasons: string[];
}

/** The `<msgQ>` of a response (RFC 5730 section 2.6): message id, messages queued (count), qDate as a UTC Date or null, the `<msg>`. */
export interface MsgQ {
  id: string;
  count: number;
  qDate: Date | null;
  /** Human-readable text of the message (direct text, whitespace collapsed). */
  msg: string | null;
  msgElement?: XmlElement;
}

/** A parsed `<response>` (RFC 5730 section 2.6): results, msgQ, the `<resData>` and `<extension>` children, and the trID ids (null when absent). */
export interface EppResponse {
  /** Code and message of the first <result>. */
  code: number;
  message: string;
  results: EppResult[];
  msgQ: MsgQ | null;
  resData: XmlElement[];
  extension: XmlElement[];
  clTRID: string | null;
  svTRID: string | null;
}

/** A parsed `<greeting>` (RFC 5730 section 2.4): svID ('' when absent), svDate (UTC Date or null), and the svcMenu's versions, langs, objURIs and extURIs. */
export interface EppGreeting {
  svID: string;
  svDate: Date | null;
  versions: string[];
  langs: string[];
  objURIs: string[];
  extURIs: string[];
}

/** A server frame: a greeting or a response. */
export type EppFrame = { kind: 'greeting'; greeting: EppGreeting } | { kind: 'response'; response: EppResponse };

function parseResult(r: XmlElement): EppResult {
  const code = toInt(r.attrs['code'], 'result code');
  const message = textOf(required(r, NS.epp, 'msg'));
  const reasons: string[] = [];
  for (const c of r.children) {
    if (c.ns !== NS.epp) continue;
    if (c.name === 'extValue') {
      const reason = childText(c, NS.epp, 'reason');
      if (reason) reasons.push(reason);
    }
  }
  return { code, message, reasons };
}

function collapse(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** An `<epp:response>` element -> EppResponse; `code`/`message` are the first result's. EppProtocolError (UPSTREAM_FAILURE) for no `<result>`, a result without `<msg>`, or a non-integer code or msgQ count. */
export function parseResponseElement(resp: XmlElement): EppResponse {
  const results = children(resp, NS.epp, 'result').map(parseResult);
  if (results.length === 0) throw new EppProtocolError('<response> has no <result>');
  const q = child(resp, NS.epp, 'msgQ');
  let msgQ: MsgQ | null = null;
  if (q) {
    const m = child(q, NS.epp, 'msg');
    msgQ = {
      id: (q.attrs['id'] ?? '').trim(),
      count: toInt(q.attrs['count'], 'msgQ count'),
      qDate: childDate(q, NS.epp, 'qDate'),
      msg: m ? collapse(m.text) || deepText(m) : null,
      msgElement: m,
    };
  }
  const trID = child(resp, NS.epp, 'trID');
  return {
    code: results[0]!.code,
    message: results[0]!.message,
    results,
    msgQ,
    resData: child(resp, NS.epp, 'resData')?.children ?? [],
    extension: child(resp, NS.epp, 'extension')?.children ?? [],
    clTRID: childText(trID, NS.epp, 'clTRID') ?? null,
    svTRID: childText(trID, NS.epp, 'svTRID') ?? null,
  };
}

/** An `<epp:greeting>` element -> EppGreeting; EppProtocolError (UPSTREAM_FAILURE) when it has no `<svcMenu>` or a malformed svDate. */
export function parseGreetingElement(g: XmlElement): EppGreeting {
  const menu = required(g, NS.epp, 'svcMenu');
  const texts = (parent: XmlElement | undefined, name: string): string[] =>
    children(parent, NS.epp, name).map(textOf).filter((t) => t !== '');
  return {
    svID: childText(g, NS.epp, 'svID') ?? '',
    svDate: childDate(g, NS.epp, 'svDate'),
    versions: texts(menu, 'version'),
    langs: texts(menu, 'lang'),
    objURIs: texts(menu, 'objURI'),
    extURIs: texts(child(menu, NS.epp, 'svcExtension'), 'extURI'),
  };
}

function eppBody(xml: string): XmlElement {
  const root = parseXml(xml);
  if (root.ns !== NS.epp || root.name !== 'epp') throw new EppProtocolError(`document element is not <epp> in ${NS.epp}`);
  const body = root.children[0];
  if (!body || body.ns !== NS.epp) throw new EppProtocolError('<epp> is empty');
  return body;
}

/** Parse any server frame (greeting or response). */
export function parseFrame(xml: string): EppFrame {
  const body = eppBody(xml);
  if (body.name === 'greeting') return { kind: 'greeting', greeting: parseGreetingElement(body) };
  if (body.name === 'response') return { kind: 'response', response: parseResponseElement(body) };
  throw new EppProtocolError(`unexpected <${body.name}> from server`);
}

/** A server frame that must be a `<response>`; EppProtocolError (UPSTREAM_FAILURE) for a greeting, bad XML or a malformed response. */
export function parseResponse(xml: string): EppResponse {
  const f = parseFrame(xml);
  if (f.kind !== 'response') throw new EppProtocolError('expected <response>, got <greeting>');
  return f.response;
}

/** A server frame that must be a `<greeting>`; EppProtocolError (UPSTREAM_FAILURE) for a response, bad XML or a malformed greeting. */
export function parseGreeting(xml: string): EppGreeting {
  const f = parseFrame(xml);
  if (f.kind !== 'greeting') throw new EppProtocolError('expected <greeting>, got <response>');
  return f.greeting;
}

/** The first resData child in a namespace with a local name, if any. */
export function resData(resp: EppResponse, ns: string, name: string): XmlElement | undefined {
  return resp.resData.find((e) => e.ns === ns && e.name === name);
}

/** The first `<resData>` child `ns`:`name`; EppProtocolError (UPSTREAM_FAILURE) naming it when the response has none. */
export function requiredResData(resp: EppResponse, ns: string, name: string): XmlElement {
  const e = resData(resp, ns, name);
  if (!e) throw new EppProtocolError(`response has no <${name}> in ${ns}`);
  return e;
}

/** The first response `<extension>` child `ns`:`name` (e.g. rgp:infData, secDNS:infData), if any. */
export function extension(resp: EppResponse, ns: string, name: string): XmlElement | undefined {
  return resp.extension.find((e) => e.ns === ns && e.name === name);
}
