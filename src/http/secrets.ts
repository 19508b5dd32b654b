/**
 * Values a request used as a secret anywhere, taken out of every error of its answer. A value is
 * a secret when it stands under a secret's name (core/secret-names.ts: authInfo, password, pw,
 * apiKey) anywhere in the request: a literal in the document (`authInfo: "..."`, or inside a list
 * or object there), a variable used there by any of its uses (`$a` in `domain(name: $a)` and in
 * `transfer(authInfo: $a)`: all of `$a`), and a field of that name inside any variable's value
 * (`$d: [{name, authInfo}]`). Such a value is then shown by no error of the answer, whichever
 * error quoted it and under whichever argument: a domain name check that quotes its value, a
 * registry's message echoing a name, a bulk item's error.
 */
import { Kind, visit, type ASTNode, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { quoted } from '../core/errors.js';
import { SECRET_NAMES } from '../core/secret-names.js';

/** What an answer shows instead of a secret value. */
export const SECRET_SHOWN_AS = '(a secret: not shown)';

/** Strings of a value (a variable's, a literal's), every one of them, to any depth. */
function stringsIn(value: unknown, out: Set<string>, depth = 0): void {
  if (typeof value === 'string') {
    if (value.length > 0) out.add(value);
    return;
  }
  // Variables are JSON: 64 levels are more than any input type of the schema has.
  if (value === null || typeof value !== 'object' || depth > 64) return;
  for (const v of Array.isArray(value) ? value : Object.values(value)) stringsIn(v, out, depth + 1);
}

/** Strings under a secret's name inside a variable's value (`[{ name, authInfo }]`). */
function secretFieldsIn(value: unknown, out: Set<string>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 64) return;
  if (Array.isArray(value)) {
    for (const v of value) secretFieldsIn(v, out, depth + 1);
    return;
  }
  for (const [k, v] of Object.entries(value)) {
    if (SECRET_NAMES.has(k)) stringsIn(v, out);
    else secretFieldsIn(v, out, depth + 1);
  }
}

/**
 * The values `document` and `variables` use as a secret (above); empty when there are none.
 * `document` may be absent (a request that did not parse): then only secret fields inside the
 * variables' values are known.
 */
export function requestSecrets(document: DocumentNode | undefined | null, variables: Record<string, unknown> | null | undefined): Set<string> {
  const out = new Set<string>();
  const secretVariables = new Set<string>();
  if (document) {
    // How many arguments or object fields with a secret's name enclose the node being visited.
    let inside = 0;
    const named = (node: ASTNode) => (node.kind === Kind.ARGUMENT || node.kind === Kind.OBJECT_FIELD) && SECRET_NAMES.has(node.name.value);
    visit(document, {
      enter(node) {
        if (named(node)) inside++;
        if (inside === 0) return;
        if (node.kind === Kind.VARIABLE) secretVariables.add(node.name.value);
        else if ((node.kind === Kind.STRING || node.kind === Kind.ENUM) && node.value.length > 0) out.add(node.value);
        else if ((node.kind === Kind.INT || node.kind === Kind.FLOAT) && node.value.length > 0) out.add(node.value);
      },
      leave(node) {
        if (named(node)) inside--;
      },
    });
  }
  if (variables && typeof variables === 'object') {
    for (const [name, value] of Object.entries(variables)) {
      if (secretVariables.has(name)) stringsIn(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value, out);
      else secretFieldsIn(value, out);
    }
  }
  return out;
}

/** The shortest run of a secret's leading characters that is taken out wherever it stands (a cut prefix). */
const MIN_RUN = 8;

/**
 * Secrets shorter than this (below auth info's 6, so never a valid one) are taken out only where
 * quoted as a whole (`"abc"`): bare, they would be taken out of every word that holds them.
 */
const MIN_BARE = 6;

/** The secrets in the order redact() takes them out: the longest first, so that one inside another is not taken out of the longer one's spelling first. */
function ordered(secrets: ReadonlySet<string>): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every spelling of each secret (`secrets`: ordered()) replaced by SECRET_SHOWN_AS:
 * its quote (quoted(): a JSON string of its first MAX_QUOTE characters, "…" after), its JSON form,
 * the value itself, and any run of its first MIN_RUN or more characters (a prefix cut by another
 * quote, a registry's "abcdefgh..."), in any letter case: a name is lower-cased when it is
 * normalised, and a check or a registry that quotes it so spells a secret sent as the name in
 * lower case ("MyS3cret..." as "mys3cret...").
 */
function redactOrdered(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    const forms = s.toLowerCase() === s ? [s] : [s, s.toLowerCase()];
    for (const f of forms) {
      const spellings = f.length < MIN_BARE ? [quoted(f), JSON.stringify(f)] : [quoted(f), JSON.stringify(f), JSON.stringify(f).slice(1, -1), f];
      for (const spelling of spellings) {
        if (out.includes(spelling)) out = out.split(spelling).join(SECRET_SHOWN_AS);
      }
    }
    if (s.length < MIN_RUN) continue;
    out = redactRuns(out, s);
  }
  return out;
}

/**
 * `text` with every run of `secret`'s first MIN_RUN or more characters replaced by
 * SECRET_SHOWN_AS, compared in lower case (where lower-casing keeps the lengths of both, so that
 * positions match; else as they are).
 */
function redactRuns(text: string, secret: string): string {
  let out = text;
  const fold = (x: string) => {
    const lower = x.toLowerCase();
    return lower.length === x.length ? lower : x;
  };
  const s = fold(secret);
  const lead = s.slice(0, MIN_RUN);
  let hay = fold(out);
  let at = hay.indexOf(lead);
  while (at >= 0) {
    let n = MIN_RUN;
    while (n < s.length && at + n < hay.length && hay[at + n] === s[n]) n++;
    out = out.slice(0, at) + SECRET_SHOWN_AS + out.slice(at + n);
    hay = fold(out);
    at = hay.indexOf(lead, at + SECRET_SHOWN_AS.length);
  }
  return out;
}

/**
 * `errors` with no secret of the request in any message or extension (upstreamMessage,
 * domainName ...): `code` and `field` (names the client wrote, never values) are kept as they are.
 */
export function redactErrors<T extends GraphQLFormattedError>(errors: readonly T[], secrets: ReadonlySet<string>): T[] {
  if (secrets.size === 0) return [...errors];
  const list = ordered(secrets);
  return errors.map((e) => {
    const extensions = e.extensions ? Object.fromEntries(Object.entries(e.extensions).map(([k, v]) => [k, k !== 'code' && k !== 'field' && typeof v === 'string' ? redactOrdered(v, list) : v])) : undefined;
    return { ...e, message: redactOrdered(e.message, list), ...(extensions ? { extensions } : {}) };
  });
}
