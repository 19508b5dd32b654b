/** What the gateway takes from a DMAPI result (result-retrieve's text) besides its status: the RFC 5730 code of a NACK. */
import type { DmapiReply } from '../reply.js';

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
