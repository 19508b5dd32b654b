/**
 * The command-line programs' options, read with node:util's parseArgs (strict: an option the
 * program does not have, a missing value, a stray argument are refused), with refusals an operator
 * can act on at once: a misspelt option is named with the option it is closest to, as a misspelt
 * key of the config file is (src/config-keys.ts): `unknown option --urll (did you mean --url?)`.
 * Node's own words were `Unknown option '--urll'. To specify a positional argument starting with a
 * '-', place it at the end of the command after '--', as in '-- "--urll"`.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestionList } from 'graphql/jsutils/suggestionList.js';

/**
 * A command line the program cannot take: the message says what (one line, the operator's words
 * quoted at most 32 characters); the program prints it (with its usage where it has one) and
 * exits with its usage-error code.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

const quoted = (s: string) => (s.length > 32 ? `${s.slice(0, 32)}...` : s);

/**
 * parseArgs(`config`), throwing UsageError instead of Node's parse errors: an unknown option
 * (ERR_PARSE_ARGS_UNKNOWN_OPTION) named with the closest of `config.options` (graphql-js's
 * suggestionList, the lexical distance behind its "Did you mean" hints), or every option when none
 * is close; a value that starts with "-" (`--period -1y`: ERR_PARSE_ARGS_INVALID_OPTION_VALUE,
 * "ambiguous") named with the option and how to give it (`--period=-1y`); a missing or unwanted
 * value and an unexpected argument in Node's words; a value option given twice (refuseRepeated). Any other
 * error is thrown as it is. `hint(option)`, when it gives a text, is said in the parentheses in
 * place of the suggestion (the gateway, whose settings are not options: `--port` -> PORT).
 */
export function parseOptions<T extends ParseArgsConfig>(config: T, hint?: (option: string) => string | undefined): ReturnType<typeof parseArgs<T>> {
  let parsed: ReturnType<typeof parseArgs<T>>;
  try {
    parsed = parseArgs(config);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const given = /'([^']*)'/.exec((e as Error).message)?.[1] ?? '';
      const known = Object.keys(config.options ?? {}).map((name) => `--${name}`);
      const name = given.replace(/=.*$/, '');
      const said = hint?.(name);
      const [close] = suggestionList(name, known);
      throw new UsageError(`unknown option ${quoted(given)} ${said ? `(${said})` : close ? `(did you mean ${close}?)` : `(options: ${known.join(', ')})`}`, { cause: e });
    }
    // `--period -1y`: Node refuses a value that starts with "-" in three sentences about "-XYZ"; said in one, with the option's own name.
    const ambiguous = code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ? /^Option '([^']+)' argument is ambiguous/.exec((e as Error).message)?.[1] : undefined;
    if (ambiguous) {
      const long = /use '(--[^=']+)=-XYZ'/.exec((e as Error).message)?.[1] ?? ambiguous;
      const at = config.args?.indexOf(ambiguous) ?? -1;
      const value = at >= 0 ? config.args![at + 1] : undefined;
      const shown = value !== undefined ? ` ${JSON.stringify(quoted(value))}` : '';
      throw new UsageError(`${ambiguous}: its value${shown} starts with "-", which reads as an option; give such a value as ${long}=<value>`, { cause: e });
    }
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError((e as Error).message, { cause: e });
    }
    throw e;
  }
  refuseRepeated(config);
  return parsed;
}

/**
 * Throws UsageError for a value option (`type: 'string'`, not `multiple`) given more than once:
 * parseArgs keeps the last one without a word, so `renew --period 2y --period 3y` renewed every
 * domain by three years (found by a fresh user). Names the option only: its values are not quoted
 * (one may be a secret: --api-key).
 */
function refuseRepeated(config: ParseArgsConfig): void {
  const seen = new Set<string>();
  for (const t of parseArgs({ ...config, tokens: true }).tokens) {
    if (t.kind !== 'option') continue;
    const o = config.options?.[t.name];
    if (o?.type !== 'string' || o.multiple) continue;
    if (seen.has(t.name)) throw new UsageError(`--${t.name} is given more than once: give it once (the last one would have replaced the others without a word)`);
    seen.add(t.name);
  }
}
