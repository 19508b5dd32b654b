/**
 * Turns one EPP frame into a prepared command: its counter/fault key (e.g. "domain:create",
 * "domain:transfer:request", "domain:restore", "poll:ack", "login"), its clTRID, and a run()
 * that applies it. Splitting the two lets fault injection act before or after the apply.
 */
import type { Clock } from '../../core/clock.js';
import { contactFlows } from './flows/contact.js';
import type { Flow, FlowContext, ObjectCommand, TransferOp, Verb } from './flows/common.js';
import { update as domainUpdate } from './flows/domain-update.js';
import { domainFlows } from './flows/domain.js';
import { hostFlows } from './flows/host.js';
import { poll } from './flows/poll.js';
import { login, logout, type SessionState } from './flows/session.js';
import { transferFlow } from './flows/transfer.js';
import type { Profile } from './greeting.js';
import { objectChanged, tick } from './lifecycle.js';
import { EppError, type EppResult } from './result.js';
import { readPlainFrame, schemaViolation, type SchemaViolation } from './schema.js';
import type { Store } from './store.js';
import { NS, XmlSyntaxError, child, childText, parseXml, x, type XmlEl } from './xml.js';

/** What every prepared command runs against: the store, the profile, the clock, and the pending-transfer auto-approval period (ms). */
export interface Env {
  store: Store;
  profile: Profile;
  clock: Clock;
  transferPeriodMs: number;
}

/**
 * One frame made ready by prepare(): its counter/fault key, its clTRID (3-64 chars, else absent),
 * and run(), which applies it and returns the result or throws EppError (RFC 5730 section 3 codes).
 */
export interface Prepared {
  /** null when the frame could not be understood as a command. */
  key: string | null;
  clTRID?: string;
  /** Refused before it runs (not logged in, a malformed command): its run() only answers the refusal, and no fault fires on it. */
  refused?: true;
  /** 'greeting' for <hello>. */
  run(): EppResult | 'greeting';
}

const VERBS: Verb[] = ['check', 'info', 'create', 'update', 'delete', 'renew', 'transfer'];
const OPS: TransferOp[] = ['request', 'approve', 'reject', 'cancel', 'query'];
const KIND_BY_NS: Record<string, 'domain' | 'host' | 'contact'> = { [NS.domain]: 'domain', [NS.host]: 'host', [NS.contact]: 'contact' };

const FLOWS: Record<'domain' | 'host' | 'contact', Partial<Record<Verb, Flow>>> = {
  domain: { ...domainFlows, update: domainUpdate, transfer: transferFlow('domain') },
  host: { ...hostFlows },
  contact: { ...contactFlows, transfer: transferFlow('contact') },
};

function fail(code: number, msg: string, key: string | null = null, clTRID?: string): Prepared {
  return { key, clTRID, refused: true, run: () => ({ code, msg }) };
}

function validClTRID(v: string | undefined): string | undefined {
  return v !== undefined && v.length >= 3 && v.length <= 64 ? v : undefined;
}

/**
 * 2001 "Command syntax error" (RFC 5730 section 3) for a frame that is not well-formed or not
 * valid against the EPP schemas: the reason, and the element concerned, in <extValue>.
 */
function syntaxError(v: SchemaViolation, clTRID?: string): Prepared {
  const el = v.element;
  const prefix = /^urn:ietf:params:xml:ns:([A-Za-z]+)/.exec(el?.ns ?? '')?.[1] ?? 'x';
  const value = !el ? x('epp', null) : el.ns ? x(`${prefix}:${el.name}`, { [`xmlns:${prefix}`]: el.ns }) : x(el.name, { xmlns: '' });
  return { key: null, clTRID, refused: true, run: () => ({ code: 2001, extValue: [{ value, reason: v.reason }] }) };
}

/**
 * Reads, validates and prepares one frame (its raw bytes, RFC 5734 header removed). A plain frame
 * (schema.ts, readPlainFrame) is parsed once, by libxml2 while validating it; any other frame,
 * and any frame libxml2 refuses, goes through fast-xml-parser first and libxml2 second, so that
 * a frame fast-xml-parser cannot read is answered with its reason, as always.
 */
export function prepare(frame: Buffer, env: Env, session: SessionState, svTRID: string): Prepared {
  const plain = readPlainFrame(frame);
  let root: XmlEl;
  if (plain?.root) {
    root = plain.root;
  } else {
    const xml = frame.toString('utf8');
    try {
      root = parseXml(xml);
    } catch (e) {
      if (e instanceof XmlSyntaxError) return syntaxError({ reason: `Not well-formed XML: ${e.message}`.replace(/\s+/g, ' ').slice(0, 200) });
      throw e;
    }
    const first = root.children[0];
    const violation = plain ? plain.violation : schemaViolation(xml);
    if (violation) {
      const cl = first?.ns === NS.epp && first.name === 'command' ? validClTRID(childText(first, NS.epp, 'clTRID')) : undefined;
      return syntaxError(violation, cl);
    }
  }
  const top = root.children[0];
  // The schema admits only an epp root holding a greeting, hello, command, response or extension.
  if (top?.ns === NS.epp && top.name === 'hello') return { key: 'hello', run: () => 'greeting' };
  if (top?.ns !== NS.epp || top.name !== 'command') return fail(2001, 'Expected a hello or command element.');
  const rawClTRID = childText(top, NS.epp, 'clTRID');
  const clTRID = validClTRID(rawClTRID);
  if (rawClTRID !== undefined && clTRID === undefined) return fail(2001, 'clTRID must be 3 to 64 characters long.');
  const verbEl = top.children.find((c) => c.ns === NS.epp && c.name !== 'extension' && c.name !== 'clTRID');
  if (!verbEl) return fail(2001, 'The command element is empty.', null, clTRID);
  const extensions = child(top, NS.epp, 'extension')?.children ?? [];

  if (verbEl.name === 'login') {
    return { key: 'login', clTRID, run: () => login(env.store, env.profile, session, verbEl) };
  }
  if (verbEl.name === 'logout') {
    if (session.clientId === undefined) return fail(2002, 'Registrar is not logged in.', 'logout', clTRID);
    return { key: 'logout', clTRID, run: () => logout(session) };
  }
  const object = verbEl.name === 'poll' ? undefined : objectCommand(verbEl, extensions);
  if (object instanceof EppError) return fail(object.code, object.message, null, clTRID);
  const key = object ? object.key : `poll:${verbEl.attrs.op ?? ''}`;
  const clientId = session.clientId;
  if (clientId === undefined) return fail(2002, 'Registrar is not logged in.', key, clTRID);

  return {
    key,
    clTRID,
    run: () => {
      const now = env.clock.now();
      tick(env.store, now);
      if (!object) return poll(env.store, clientId, now, verbEl);
      if (object.cmd.extensions.some((e) => !session.extURIs.has(e.ns))) {
        throw new EppError(2002, 'Service extension(s) must be declared at login.');
      }
      if (object.kind === 'contact' && env.profile === 'nomulus') {
        throw new EppError(2306, 'Having contacts is prohibited by registry policy');
      }
      const flow = FLOWS[object.kind][object.cmd.verb];
      if (!flow) throw new EppError(2101, `The ${object.kind} object has no ${object.cmd.verb} command.`);
      const ctx: FlowContext = {
        store: env.store,
        clientId,
        now,
        profile: env.profile,
        transferPeriodMs: env.transferPeriodMs,
        trid: { client: clTRID, server: svTRID },
      };
      const changing = object.cmd.verb !== 'check' && object.cmd.verb !== 'info';
      // What a changing command looks up counts as changed (the state file journals it; store.ts).
      env.store.tracking = changing;
      try {
        return flow(ctx, object.cmd);
      } finally {
        env.store.tracking = false;
        // A change may bring a time-driven event (a grace period, a transfer's auto-approval) forward.
        if (changing) objectChanged(env.store, object.kind, objectId(object));
      }
    },
  };
}

/** The domain name or contact id a command names (hosts: their name), as the flows look it up. */
function objectId(object: ParsedObject): string | undefined {
  if (object.kind === 'contact') return childText(object.cmd.el, NS.contact, 'id');
  return childText(object.cmd.el, object.kind === 'domain' ? NS.domain : NS.host, 'name');
}

interface ParsedObject {
  key: string;
  kind: 'domain' | 'host' | 'contact';
  cmd: ObjectCommand;
}

function objectCommand(verbEl: XmlEl, extensions: XmlEl[]): ParsedObject | EppError {
  const verb = VERBS.find((v) => v === verbEl.name);
  if (!verb) return new EppError(2000, `Unknown command ${verbEl.name}.`);
  const el = verbEl.children[0];
  if (!el) return new EppError(2001, `The ${verb} command names no object.`);
  const kind = KIND_BY_NS[el.ns];
  if (!kind) return new EppError(2307, 'Unimplemented object service.');
  if (el.name !== verb) return new EppError(2001, `Expected ${verb} element, got ${el.name}.`);
  let op: TransferOp | undefined;
  if (verb === 'transfer') {
    op = OPS.find((o) => o === verbEl.attrs.op);
    if (!op) return new EppError(2001, 'transfer op must be request, approve, reject, cancel or query.');
  }
  const restore = kind === 'domain' && verb === 'update' && extensions.some((e) => e.ns === NS.rgp && e.name === 'update');
  const key = restore ? 'domain:restore' : op ? `${kind}:transfer:${op}` : `${kind}:${verb}`;
  return { key, kind, cmd: { verb, op, el, extensions } };
}
