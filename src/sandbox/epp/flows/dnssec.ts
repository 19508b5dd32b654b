/** secDNS-1.1 (RFC 5910): reading create/update extensions and writing infData. */
import type { DomainRecord, DsRecord, KeyRecord } from '../records.js';
import { EppError } from '../result.js';
import { POLICY } from '../store.js';
import { NS, child, childText, children, x, type XNode, type XmlEl } from '../xml.js';
import type { FlowContext } from './common.js';

function num(el: XmlEl, name: string, max: number): number {
  const t = childText(el, NS.secDNS, name);
  if (t === undefined) throw new EppError(2003, `secDNS ${name} is required`);
  const n = Number(t);
  if (!/^\d+$/.test(t) || n > max) throw new EppError(2005, `Invalid secDNS ${name}`);
  return n;
}

function readKey(el: XmlEl): KeyRecord {
  const pubKey = childText(el, NS.secDNS, 'pubKey') ?? '';
  if (pubKey === '') throw new EppError(2003, 'secDNS pubKey is required');
  return { flags: num(el, 'flags', 65535), protocol: num(el, 'protocol', 255), alg: num(el, 'alg', 255), pubKey };
}

function readDs(el: XmlEl): DsRecord {
  const digest = (childText(el, NS.secDNS, 'digest') ?? '').toUpperCase();
  if (!/^([0-9A-F]{2})+$/.test(digest)) throw new EppError(2005, 'Invalid secDNS digest');
  const key = child(el, NS.secDNS, 'keyData');
  return {
    keyTag: num(el, 'keyTag', 65535),
    alg: num(el, 'alg', 255),
    digestType: num(el, 'digestType', 255),
    digest,
    keyData: key ? readKey(key) : undefined,
  };
}

/** A secDNS dsOrKeyType read (RFC 5910 section 4): DS records, key records, and maxSigLife in seconds when given. */
export interface DsOrKey {
  maxSigLife?: number;
  dsData: DsRecord[];
  keyData: KeyRecord[];
}

/** Reads a dsOrKeyType element (secDNS:create, secDNS:update/add). */
export function readDsOrKey(ctx: FlowContext, el: XmlEl, command: 'create' | 'update'): DsOrKey {
  const msl = childText(el, NS.secDNS, 'maxSigLife');
  const out: DsOrKey = {
    dsData: children(el, NS.secDNS, 'dsData').map(readDs),
    keyData: children(el, NS.secDNS, 'keyData').map(readKey),
  };
  if (msl !== undefined) out.maxSigLife = readMaxSigLife(ctx, msl, command);
  return out;
}

/** secDNS maxSigLife in seconds: a positive integer (2005 otherwise); the nomulus profile refuses it with 2102, as Nomulus does. */
export function readMaxSigLife(ctx: FlowContext, text: string, command: 'create' | 'update'): number {
  if (ctx.profile === 'nomulus') {
    throw new EppError(2102, command === 'create' ? "The 'maxSigLife' setting is not supported." : "Changing 'maxSigLife' is not supported.");
  }
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new EppError(2005, 'Invalid secDNS maxSigLife');
  return n;
}

/** Whether two DS records are one (keyTag, alg, digestType, digest; an embedded keyData is ignored), as secDNS:rem matches them. */
export function sameDs(a: DsRecord, b: DsRecord): boolean {
  return a.keyTag === b.keyTag && a.alg === b.alg && a.digestType === b.digestType && a.digest === b.digest;
}

/** Whether two key records are one (flags, protocol, alg, pubKey). */
export function sameKey(a: KeyRecord, b: KeyRecord): boolean {
  return a.flags === b.flags && a.protocol === b.protocol && a.alg === b.alg && a.pubKey === b.pubKey;
}

/** Throws 2306 when a domain would mix dsData and keyData (RFC 5910 section 4) or hold more than POLICY.maxDsRecords (8) records. */
export function checkDsLimit(d: Pick<DomainRecord, 'dsData' | 'keyData'>): void {
  if (d.dsData.length > 0 && d.keyData.length > 0) {
    throw new EppError(2306, 'The dsData and keyData interfaces cannot be mixed on one domain.');
  }
  if (d.dsData.length + d.keyData.length > POLICY.maxDsRecords) throw new EppError(2306, 'Too many DS records set on a domain.');
}

function keyNode(k: KeyRecord): XNode {
  return x(
    'secDNS:keyData',
    null,
    x('secDNS:flags', null, String(k.flags)),
    x('secDNS:protocol', null, String(k.protocol)),
    x('secDNS:alg', null, String(k.alg)),
    x('secDNS:pubKey', null, k.pubKey),
  );
}

/** secDNS:infData for a domain with DNSSEC data, else undefined. */
export function secDnsInfData(d: DomainRecord): XNode | undefined {
  if (d.dsData.length === 0 && d.keyData.length === 0) return undefined;
  return x(
    'secDNS:infData',
    { 'xmlns:secDNS': NS.secDNS },
    d.maxSigLife !== undefined && x('secDNS:maxSigLife', null, String(d.maxSigLife)),
    d.dsData.length > 0
      ? d.dsData.map((ds) =>
          x(
            'secDNS:dsData',
            null,
            x('secDNS:keyTag', null, String(ds.keyTag)),
            x('secDNS:alg', null, String(ds.alg)),
            x('secDNS:digestType', null, String(ds.digestType)),
            x('secDNS:digest', null, ds.digest),
            ds.keyData && keyNode(ds.keyData),
          ),
        )
      : d.keyData.map(keyNode),
  );
}
