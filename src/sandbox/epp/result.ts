/** EPP result codes, the error type flows throw, and the response document builder. */
import { NS, buildDocument, isoDate, x, type XNode } from './xml.js';

/** RFC 5730 section 3 result texts, used for success results and generic failures. */
export const RESULT_TEXT: Record<number, string> = {
  1000: 'Command completed successfully',
  1001: 'Command completed successfully; action pending',
  1300: 'Command completed successfully; no messages',
  1301: 'Command completed successfully; ack to dequeue',
  1500: 'Command completed successfully; ending session',
  2000: 'Unknown command',
  2001: 'Command syntax error',
  2002: 'Command use error',
  2003: 'Required parameter missing',
  2004: 'Parameter value range error',
  2005: 'Parameter value syntax error',
  2100: 'Unimplemented protocol version',
  2101: 'Unimplemented command',
  2102: 'Unimplemented option',
  2103: 'Unimplemented extension',
  2104: 'Billing failure',
  2105: 'Object is not eligible for renewal',
  2106: 'Object is not eligible for transfer',
  2200: 'Authentication error',
  2201: 'Authorization error',
  2202: 'Invalid authorization information',
  2300: 'Object pending transfer',
  2301: 'Object not pending transfer',
  2302: 'Object exists',
  2303: 'Object does not exist',
  2304: 'Object status prohibits operation',
  2305: 'Object association prohibits operation',
  2306: 'Parameter value policy error',
  2307: 'Unimplemented object service',
  2308: 'Data management policy violation',
  2400: 'Command failed',
  2500: 'Command failed; server closing connection',
  2501: 'Authentication error; server closing connection',
  2502: 'Session limit exceeded; server closing connection',
};

/** Thrown by flows; becomes an error response with this code and message. */
export class EppError extends Error {
  constructor(
    readonly code: number,
    message?: string,
    readonly close = false,
  ) {
    super(message ?? RESULT_TEXT[code] ?? 'Command failed');
  }
}

/** The response's <msgQ> (RFC 5730 section 2.6): messages queued, the first's (or acked) id, its qDate and msg. */
export interface MsgQ {
  count: number;
  id: string;
  qDate?: Date;
  msg?: string;
}

/** RFC 5730 section 2.6 <extValue>: the client element concerned and why it was refused. */
export interface ExtValue {
  value: XNode;
  reason: string;
}

/** What a flow returns; the session adds the transaction ids. */
export interface EppResult {
  code: number;
  msg?: string;
  extValue?: ExtValue[];
  msgQ?: MsgQ;
  resData?: XNode[];
  extension?: XNode[];
  /** Close the connection after sending (logout, 2500/2501). */
  close?: boolean;
}

/** A success result, 1000 "Command completed successfully" unless `code` says otherwise, with optional resData and extension. */
export function ok(resData?: XNode[], extension?: XNode[], code = 1000): EppResult {
  return { code, resData, extension };
}

/** The <response> document (RFC 5730 section 2.6): result (msg defaults to the section 3 text), msgQ, resData, extension, trID. */
export function buildResponse(result: EppResult, clTRID: string | undefined, svTRID: string): string {
  const msgQ = result.msgQ;
  return buildDocument(
    x(
      'epp',
      { xmlns: NS.epp },
      x(
        'response',
        null,
        x(
          'result',
          { code: String(result.code) },
          x('msg', null, result.msg ?? RESULT_TEXT[result.code] ?? ''),
          (result.extValue ?? []).map((v) => x('extValue', null, x('value', null, v.value), x('reason', null, v.reason))),
        ),
        msgQ &&
          x(
            'msgQ',
            { count: String(msgQ.count), id: msgQ.id },
            msgQ.qDate && x('qDate', null, isoDate(msgQ.qDate)),
            msgQ.msg !== undefined && x('msg', null, msgQ.msg),
          ),
        result.resData && result.resData.length > 0 && x('resData', null, result.resData),
        result.extension && result.extension.length > 0 && x('extension', null, result.extension),
        x('trID', null, clTRID !== undefined && x('clTRID', null, clTRID), x('svTRID', null, svTRID)),
      ),
    ),
  );
}
