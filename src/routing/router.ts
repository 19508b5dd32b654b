import { UnknownTldError, ValidationError, quoted } from '../core/errors.js';
import type { RegistryPort } from '../core/port.js';
import type { RouteConfig } from '../config.types.js';

/** Labels of a suffix or zone ("co.uk": 2). */
const labelCount = (suffix: string) => suffix.split('.').length;

/**
 * Picks the backend for a name: the longest configured suffix that matches wins
 * ("co.uk" before "uk"). Contacts and hosts that no name routes go to an explicit
 * registry argument or the configured default backend.
 */
export class Router {
  private readonly bySuffix: Map<string, RegistryPort>;
  private readonly byName: Map<string, RegistryPort>;

  constructor(
    backends: RegistryPort[],
    routes: RouteConfig[],
    private readonly defaultName?: string,
  ) {
    this.byName = new Map(backends.map((b) => [b.name, b]));
    this.bySuffix = new Map(routes.map((r) => [r.suffix.toLowerCase().replace(/^\./, ''), this.named(r.backend)]));
    this.longestSuffix = Math.max(1, ...[...this.bySuffix.keys()].map(labelCount));
  }

  /** Labels of the longest routed suffix (`co.uk`: 2): no longer suffix of a name can match one. */
  private readonly longestSuffix: number;

  backends(): RegistryPort[] {
    return [...this.byName.values()];
  }

  /** Whether a backend of this name is configured. */
  has(name: string): boolean {
    return this.byName.has(name);
  }

  named(name: string, field = 'registry'): RegistryPort {
    const b = this.byName.get(name);
    if (!b) throw new ValidationError(field, `unknown registry ${quoted(name)} (known: ${[...this.byName.keys()].join(', ')})`);
    return b;
  }

  /** Backend for a normalised (A-label, lower-case) domain name. */
  forDomain(name: string, field = 'name'): RegistryPort {
    const found = this.match(name);
    if (!found) throw new UnknownTldError(field, name);
    return found;
  }

  /**
   * Why `name` (a normalised A-label domain name) can never be registered at the backend it routes
   * to, or null when it may be (the registry still decides). A registry registers one label
   * directly under one of its zones; the gateway knows a backend's zones as the suffixes routed to
   * it (`routes`, where `co.uk` and `uk` are two zones) and any the backend itself knows
   * (RegistryPort.zones: REPP's .med.ee and .fie.ee under a route for `ee`). A name more than one
   * label below the longest such zone it falls under ("sub.example.example" under "example") is
   * refused: the registry would refuse it (EPP: the whole check command, 2005/2306). A name one
   * label under a zone is then put to the backend's own rule (RegistryPort.unregistrable: the .ee
   * registry's letter set). Sends nothing. Throws UnknownTldError (naming `field`) when the name routes nowhere.
   */
  unregistrable(name: string, field = 'name'): string | null {
    return this.unregistrableAt(name, this.forDomain(name, field));
  }

  /**
   * unregistrable for a name already routed: `backend` is what forDomain(name) gave (a caller
   * that routes many names, checkDomainNames, routes each once). Throws nothing.
   */
  unregistrableAt(name: string, backend: RegistryPort): string | null {
    const labels = name.split('.');
    // Only suffixes as long as a zone can be are looked up: linear in the name, not quadratic in its labels.
    const longest = Math.max(this.longestSuffix, ...(backend.zones ?? []).map(labelCount));
    for (let i = Math.max(1, labels.length - longest); i < labels.length; i++) {
      const zone = labels.slice(i).join('.');
      if (this.bySuffix.get(zone) !== backend && !backend.zones?.includes(zone)) continue;
      if (i === 1) return backend.unregistrable?.(name) ?? null; // where it sits is fine: the registry's own rule
      return `it is ${i} labels below ".${zone}", and registry "${backend.name}" registers only one label directly under a zone routed to it`;
    }
    return null; // not reached: forDomain found a suffix
  }

  /**
   * forDomain for a name a domain mutation sends to its registry, whatever it asks (create, renew,
   * update, delete, restore, any transfer command, a bulk job's item): a name no registry can hold
   * (unregistrable) can never be a domain there, so it is ValidationError (BAD_USER_INPUT) naming
   * `field`, message `<field>: not registrable: <why>`, thrown before the idempotency record, the
   * command log or the registry is touched. Throws UnknownTldError naming `field` when the name
   * routes nowhere.
   */
  forRegistrable(name: string, field = 'name'): RegistryPort {
    const why = this.unregistrable(name, field);
    if (why) throw notRegistrable(field, why);
    return this.forDomain(name, field);
  }

  /**
   * forRegistrable for a name whose suffix another name already routed to `backend` through
   * forRegistrable (a bulk job's items, routed once per suffix: where a name sits depends on its
   * suffix alone), so only the registry's own rule for the name is left (RegistryPort.unregistrable).
   * Returns `backend`; throws the ValidationError forRegistrable would.
   */
  registrableAt(name: string, backend: RegistryPort, field = 'name'): RegistryPort {
    const why = backend.unregistrable?.(name);
    if (why) throw notRegistrable(field, why);
    return backend;
  }

  /**
   * forDomain for a read of a domain by name (`domain(name)`, `transfer(domainName)`, federation's
   * Domain representations): null when no registry can hold the name (unregistrable), which the
   * read answers as it answers for a domain the registry does not have, sending nothing. Throws
   * UnknownTldError naming `field` when the name routes nowhere.
   */
  forReadable(name: string, field = 'name'): RegistryPort | null {
    return this.unregistrable(name, field) ? null : this.forDomain(name, field);
  }

  /** Backend for a host: explicit registry (even "", which names none), else the host name's suffix, else the default. */
  forHost(name: string, registry: string | null | undefined, field = 'registry'): RegistryPort {
    if (registry != null) return this.named(registry, field);
    return this.match(name) ?? this.fallback(field);
  }

  /** Backend for a contact: explicit registry (even "", which names none), else the default. */
  forContact(registry: string | null | undefined, field = 'registry'): RegistryPort {
    return registry != null ? this.named(registry, field) : this.fallback(field);
  }

  private fallback(field: string): RegistryPort {
    if (this.defaultName) return this.named(this.defaultName);
    throw new ValidationError(field, 'name the registry: no default registry is configured');
  }

  /**
   * The backend of the longest configured suffix of `name`. Only the suffixes of at most
   * `longestSuffix` labels are looked up (a name of 127 labels, the most 253 characters hold, costs
   * as many lookups as the longest route has labels, not 126 suffixes rebuilt label by label).
   */
  private match(name: string): RegistryPort | undefined {
    const labels = name.split('.');
    for (let i = Math.max(1, labels.length - this.longestSuffix); i < labels.length; i++) {
      const hit = this.bySuffix.get(labels.slice(i).join('.'));
      if (hit) return hit;
    }
    return undefined;
  }
}

/** BAD_USER_INPUT on `field` for a name no registry can hold: `<field>: not registrable: <why>`. */
function notRegistrable(field: string, why: string): ValidationError {
  return new ValidationError(field, `not registrable: ${why}`);
}
