/**
 * Registry refusals that echo what the request sent ("not registered: name server <name>",
 * "<domain> is not registered") quote at most MAX_QUOTE characters of it, as every quote of client
 * input does (README, Errors; src/core/errors.ts quoted()). Each adapter says which of its
 * request's values a refusal may echo (never a secret: the portable layer masks those whole, and a
 * cut copy would hide from it); clipEchoes cuts them in the registry's message.
 */
import { MAX_QUOTE, quotedSpelling } from '../core/errors.js';

/**
 * `message` with every echo of one of `values` longer than MAX_QUOTE characters cut to its first
 * MAX_QUOTE characters and "…" (quotedSpelling). An echo may be whole, already cut by the registry
 * ("nnnn..." at 40 characters, or where the registry's message ends), or lower-cased (registries
 * write names in lower case): any run of more than MAX_QUOTE of a value's first characters is cut.
 * Longer values are cut first, so a value inside another is found in what is left.
 */
export function clipEchoes(message: string, values: readonly string[]): string {
  const long = [...new Set(values.flatMap((v) => [v, v.toLowerCase()]))].filter((v) => Array.from(v).length > MAX_QUOTE).sort((a, b) => b.length - a.length);
  let out = message;
  for (const v of long) {
    const head = quotedSpelling(v); // its first MAX_QUOTE characters and "…"
    const probe = v.slice(0, head.length); // one character more than the head keeps
    for (let i = out.indexOf(probe); i >= 0; i = out.indexOf(probe, i + head.length)) {
      let end = i + probe.length;
      while (end < out.length && end - i < v.length && out[end] === v[end - i]) end++;
      out = out.slice(0, i) + head + out.slice(end);
    }
  }
  return out;
}
