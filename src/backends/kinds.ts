/**
 * Every backend kind the gateway knows, in one list. Adding a kind is adding its folder and one
 * line here (README.md, "Adding a backend"); nothing else switches on the kind.
 */
import { eppKind } from './epp/kind.js';
import { headlessKind } from './headless/kind.js';
import { jokerKind } from './joker/kind.js';
import type { BackendConfigBase, BackendKind } from './kind.js';
import { reppKind } from './repp/kind.js';
import { ConfigError } from '../config-error.js';

// Each kind takes its own config type; the list holds them side by side.
type AnyKind = BackendKind<any>;

/** Every backend kind, in the order `kind` values are listed in config errors. */
export const BACKEND_KINDS: readonly AnyKind[] = [eppKind, reppKind, jokerKind, headlessKind];

/** The kind of a configured backend; throws for a kind the gateway does not know. */
export function kindOf(cfg: BackendConfigBase): AnyKind {
  const k = BACKEND_KINDS.find((x) => x.kind === cfg.kind);
  if (!k) throw new ConfigError(`config: backend "${cfg.name}" has unknown kind "${String(cfg.kind).slice(0, 32)}" (known: ${BACKEND_KINDS.map((x) => x.kind).join(', ')})`);
  return k;
}
