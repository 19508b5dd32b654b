/**
 * What the gateway takes from a DMAPI result (result-retrieve's text) besides its status: the
 * text with its secrets masked (what may be stored), and the RFC 5730 code of a NACK.
 */
import { maskSecrets } from '../../portable.js';
import type { DmapiReply } from '../reply.js';

/**
 * Result lines whose value is a secret: the Auth-ID of domain-transfer-get-auth-id (document: "you
 * have to check detailed reply (use "result-retrieve") to get Auth-ID"), and any line naming a
 * transfer code, password, API key or session id.
 */
const SECRET_LINE = /^(auth-?id|transfer-auth-id|auth-?code|auth-?sid|password|api-?key)$/i;

/**
 * A result's text (result-retrieve's body) with the value of every secret line (SECRET_LINE)
 * replaced by "****", and that value masked wherever else the text repeats it; with the values
 * found, so that what quotes the result (a poll message's text) masks them too.
 */
export function maskResult(text: string): { text: string; secrets: string[] } {
  const secrets: string[] = [];
  const lines = text.split('\n').map((line) => {
    const m = /^([^:]+):\s*(\S.*?)\s*$/.exec(line);
    if (!m || !SECRET_LINE.test(m[1].trim())) return line;
    secrets.push(m[2]);
    return `${m[1]}: ****`;
  });
  return { text: maskSecrets(lines.join('\n'), secrets), secrets };
}

/**
 * The RFC 5730 result code of a NACK result: its Status-Code where that is one (>= 2000), else
 * NACK_WITHOUT_CODE. A NACK is the registry's final answer to a request it accepted (document,
 * "result-list": "status: ack, nack or ?, where ack means that request was completed
 * successfully"), and the document lets a result come without its details ("result-retrieve": "If
 * detailed information (content) is not available, only status will be returned").
 */
export function nackCode(answer: DmapiReply): number {
  return answer.statusCode !== undefined && answer.statusCode >= 2000 ? answer.statusCode : NACK_WITHOUT_CODE;
}

/**
 * 2308 "Data management policy violation" (RFC 5730 section 3: the server refused a command whose
 * execution would violate its policy): the code of a NACK that names none. The registry processed
 * the request and refused it for good, for a reason of its own it did not give; not 2400 "Command
 * failed" (an internal error that "can be transient", which would have the request sent again),
 * nor a code that blames a parameter (2005, 2306) or the client's authorization (2201/2202).
 */
export const NACK_WITHOUT_CODE = 2308;

/** What a NACK's message says when the result gives no Status-Text or Error lines. */
export const NO_REASON = 'refused (NACK) without a reason given';
