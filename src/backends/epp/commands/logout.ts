/** <logout> (RFC 5730 section 2.9.1.2); the server answers 1500. */
import { el } from '../xml/build.js';
import { commandFrame, type EppResponse } from '../xml/envelope.js';

/** The `<logout/>` command frame (RFC 5730 section 2.9.1.2). */
export function build(clTRID: string): string {
  return commandFrame(el('logout', null), clTRID);
}

/** `ended` is true when the server answered 1500 ("Command completed successfully; ending session"). */
export function parse(resp: EppResponse): { ended: boolean } {
  return { ended: resp.code === 1500 };
}
