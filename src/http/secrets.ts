/**
 * Values a request used as a secret anywhere, taken out of every error of its answer. A value is
 * a secret when it stands under a secret's name (core/secret-names.ts: authInfo, password, pw,
 * apiKey) anywhere in the request: a literal in the document (`authInfo: "..."`, or inside a list
 * or object there), a variable used there by any of its uses (`$a` in `domain(name: $a)` and in
 * `transfer(authInfo: $a)`: all of `$a`, its default in the document included), and a field of that name inside any variable's value
 * (`$d: [{name, authInfo}]`). Such a value is then shown by no error of the answer, whichever
 * error quoted it and under whichever argument: a domain name check that quotes its value, a
 * registry's message echoing a name, a bulk item's error.
 */
import { Kind, visit, type ASTNode, type DocumentNode, type GraphQLFormattedError } from 'graphql';
import { quoted } from '../core/errors.js';
import { SECRET_NAMES, SECRET_SHOWN_AS } from '../core/secret-names.js';

export { SECRET_SHOWN_AS };

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

/** A literal leaf of the document (a string, enum, int or float value) added to `out` as written; any other node adds nothing. */
function addLeaf(node: ASTNode, out: Set<string>): void {
  if ((node.kind === Kind.STRING || node.kind === Kind.ENUM || node.kind === Kind.INT || node.kind === Kind.FLOAT) && node.value.length > 0) out.add(node.value);
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
        else addLeaf(node, out);
      },
      leave(node) {
        if (named(node)) inside--;
      },
    });
    // A secret variable's default (`query($a: String = "...")`) is its value when the request gives none.
    for (const d of document.definitions) {
      if (d.kind !== Kind.OPERATION_DEFINITION) continue;
      for (const v of d.variableDefinitions ?? []) {
        if (!v.defaultValue || !secretVariables.has(v.variable.name.value)) continue;
        visit(v.defaultValue, { enter: (node) => addLeaf(node, out) });
      }
    }
  }
  if (variables && typeof variables === 'object') {
    for (const [name, value] of Object.entries(variables)) {
      if (secretVariables.has(name)) stringsIn(typeof value === 'number' || typeof value === 'boolean' ? String(value) : value, out);
      else secretFieldsIn(value, out);
    }
  }
  return out;
}

/** The shortest run of a secret's leading characters that can be taken out as a cut prefix (redactRuns). */
const MIN_RUN = 8;

/**
 * A run of a secret's leading characters at least this long is taken out wherever it stands and
 * whatever follows it: a registry may cut a field at its own length and go on with its message
 * unmarked (`... ${id.slice(0, 64)} was not found`), and no word of an ordinary message shares 16
 * leading characters with a secret by chance. Shorter runs are taken out only at a visible cut.
 */
const LONG_RUN = 16;

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
 * the value itself, and a cut prefix of it (redactRuns), in any letter case: a name is lower-cased
 * when it is normalised, and a check or a registry that quotes it so spells a secret sent as the
 * name in lower case ("MyS3cret..." as "mys3cret...").
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

/** A letter, digit or combining mark: a character that goes on a word. */
const WORD = /[\p{L}\p{N}\p{M}]/u;

/** What follows a cut: "…" (quoted(), quotedSpelling(), clip()) or "..." (registries' and the sandboxes' cuts), either after at most one closing quote, or the end of the text. */
const CUT = /^(?:["'`]?(?:…|\.\.\.)|$)/;

/**
 * `text` with the runs of `secret`'s leading characters that show it cut short replaced by
 * SECRET_SHOWN_AS, compared in lower case (where lower-casing keeps the lengths of both, so that
 * positions match; else as they are). A secret reaches a message cut short in two ways: a quote
 * of what was sent stops at MAX_QUOTE (32) characters and a message at its own limit, marked with
 * "…" (a secret that starts inside a quoted literal, `{name: "Zq7-abcd…`, or near the end of a
 * registry's message), or a registry cuts a field or its message ("abcdefgh...", or at its length
 * with nothing after). So a run of MIN_RUN (8) or more of the secret's first characters (in any
 * letter case) is taken out when:
 * - it is the whole secret (in a letter case the spellings above do not cover: "TRANSFER-CODE-1");
 * - it is LONG_RUN (16) characters or more, wherever it stands and whatever follows;
 * - it starts a word (the text's start or a character that is no letter, digit or mark before it)
 *   and is cut: followed by "…" or "..." (after at most a closing quote), or by the end of the text.
 * A shorter run that a word or message goes on after is an ordinary word that shares the
 * secret's first characters ("transfer" with the auth code "Transfer-Code-1", "transfer request
 * refused"), and is kept. What stays ambiguous is taken out: such a word at the very end of a
 * text, or right before "…" or "...", reads as a cut secret.
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
    const before = Array.from(out.slice(Math.max(0, at - 2), at)).pop();
    const startsWord = before === undefined || !WORD.test(before);
    const cut = n === s.length || n >= LONG_RUN || (startsWord && CUT.test(out.slice(at + n, at + n + 4)));
    if (!cut) {
      at = hay.indexOf(lead, at + 1);
      continue;
    }
    out = out.slice(0, at) + SECRET_SHOWN_AS + out.slice(at + n);
    hay = fold(out);
    at = hay.indexOf(lead, at + SECRET_SHOWN_AS.length);
  }
  return out;
}

/**
 * `text` redacted (redactOrdered) except where it quotes `registry`, the configured name of the
 * registry the error is about ("registry \"sandbox-headless\" accepts YEARS only"): the gateway
 * wrote that name from its configuration, and an auth code that shares 8 leading characters with
 * it ("Headless-Pw-9") or is part of it ("headless") would otherwise turn it into
 * "sandbox-(a secret: not shown)". Each part around the quoted name is redacted on its own; a
 * secret that runs across a quote of the name is not one such part could show, so the whole text
 * is then redacted as it stands.
 */
function redactKeeping(text: string, secrets: readonly string[], registry: string | undefined): string {
  const name = registry ? JSON.stringify(registry) : undefined;
  if (!name || !text.includes(name)) return redactOrdered(text, secrets);
  // Where the name is quoted, and whether a secret's spelling overlaps one such quote without lying inside it.
  const quotes: number[] = [];
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) quotes.push(at);
  const across = secrets.some((sec) =>
    [sec, sec.toLowerCase()].some((f) => {
      for (let at = text.indexOf(f); at >= 0; at = text.indexOf(f, at + 1)) {
        if (quotes.some((q) => at < q + name.length && at + f.length > q && (at < q || at + f.length > q + name.length))) return true;
      }
      return false;
    }),
  );
  return across ? redactOrdered(text, secrets) : text.split(name).map((p) => redactOrdered(p, secrets)).join(name);
}

/**
 * `errors` with no secret of the request in any message or extension (upstreamMessage,
 * domainName ..., and `field`, whose path may hold a name the client wrote in a variable's object,
 * `{"<secret>": 1}`): `code` and `registry` (the configured name of a registry, never the
 * client's) are kept as they are, and so is the
 * registry's name where the message quotes it (redactKeeping).
 */
export function redactErrors<T extends GraphQLFormattedError>(errors: readonly T[], secrets: ReadonlySet<string>): T[] {
  if (secrets.size === 0) return [...errors];
  const list = ordered(secrets);
  return errors.map((e) => {
    const registry = typeof e.extensions?.registry === 'string' ? e.extensions.registry : undefined;
    const extensions = e.extensions ? Object.fromEntries(Object.entries(e.extensions).map(([k, v]) => [k, k !== 'code' && k !== 'registry' && typeof v === 'string' ? redactKeeping(v, list, registry) : v])) : undefined;
    return { ...e, message: redactKeeping(e.message, list, registry), ...(extensions ? { extensions } : {}) };
  });
}
