import { UnknownTldError, ValidationError, quoted } from '../core/errors.js';
import type { RegistryPort } from '../core/port.js';
import type { RouteConfig } from '../config.types.js';

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
  }

  backends(): RegistryPort[] {
    return [...this.byName.values()];
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

  /** Backend for a host: explicit registry, else the host name's suffix, else the default. */
  forHost(name: string, registry: string | null | undefined, field = 'registry'): RegistryPort {
    if (registry) return this.named(registry, field);
    return this.match(name) ?? this.fallback(field);
  }

  /** Backend for a contact: explicit registry, else the default. */
  forContact(registry: string | null | undefined, field = 'registry'): RegistryPort {
    return registry ? this.named(registry, field) : this.fallback(field);
  }

  private fallback(field: string): RegistryPort {
    if (this.defaultName) return this.named(this.defaultName);
    throw new ValidationError(field, 'name the registry: no default registry is configured');
  }

  private match(name: string): RegistryPort | undefined {
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) {
      const hit = this.bySuffix.get(labels.slice(i).join('.'));
      if (hit) return hit;
    }
    return undefined;
  }
}
