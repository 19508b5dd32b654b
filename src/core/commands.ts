/**
 * Every command the gateway sends a registry, by name. The command log, the idempotency
 * reconciliation, metrics and capability checks key on these names, for every backend: EPP's verbs
 * (RFC 5730 section 2.9, object:verb[:op]) name the operation, whatever protocol carries it.
 */

/**
 * Command name -> whether it changes registry state: only those that do announce themselves to an
 * idempotency key's watch and are reconciled by the sweep; a read whose answer was lost is NO_ANSWER, not UNKNOWN.
 */
export const COMMANDS = {
  'domain:check': { changesState: false },
  'domain:info': { changesState: false },
  'domain:list': { changesState: false },
  'domain:create': { changesState: true },
  'domain:renew': { changesState: true },
  'domain:update': { changesState: true },
  'domain:delete': { changesState: true },
  'domain:restore': { changesState: true },
  'domain:transfer:query': { changesState: false },
  'domain:transfer:request': { changesState: true },
  'domain:transfer:approve': { changesState: true },
  'domain:transfer:reject': { changesState: true },
  'domain:transfer:cancel': { changesState: true },
  'contact:check': { changesState: false },
  'contact:info': { changesState: false },
  'contact:list': { changesState: false },
  'contact:create': { changesState: true },
  'contact:update': { changesState: true },
  'contact:delete': { changesState: true },
  'host:check': { changesState: false },
  'host:info': { changesState: false },
  'host:create': { changesState: true },
  'host:update': { changesState: true },
  'host:delete': { changesState: true },
  'poll:req': { changesState: false },
  'poll:ack': { changesState: false },
  'balance:info': { changesState: false },
  'account:status': { changesState: false },
  /** A registry's record of a request it queued, looked up by the clTRID it was sent with (Joker: result-list cltrid=...). */
  'request:query': { changesState: false },
  'sandbox:reset': { changesState: true },
  'bulk:transfer': { changesState: true },
  'bulk:tech-contacts': { changesState: true },
  'bulk:nameservers': { changesState: true },
  'bulk:renew': { changesState: true },
} as const satisfies Record<string, { changesState: boolean }>;

/** One command's name: EPP's `object:verb[:op]` (RFC 5730 section 2.9), or a gateway name for a non-EPP action (`bulk:renew`, `sandbox:reset`). */
export type CommandName = keyof typeof COMMANDS;

/** Every CommandName, in COMMANDS' order. */
export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** The command changes a registry object (not a check, read, transfer query, poll or balance). */
export function changesState(command: CommandName): boolean {
  return COMMANDS[command].changesState;
}

/** `s` is one of COMMANDS' names (a type guard for a command name read back from the command log). */
export function isCommandName(s: string): s is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, s);
}
