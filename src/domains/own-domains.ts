/**
 * Which of the registrar's indexed domains are still its own at their registry: the index
 * (domain-index.ts) remembers what was created or transferred in through the gateway, but a
 * registry can lose or hand on a domain behind the gateway's back (deleted or transferred away
 * elsewhere, a sandbox that restarted from its seed). README "`domains`": a domain the registry no
 * longer has is left out and dropped from the list; so is one another registrar sponsors now, and
 * its data (read from the registry) is never answered to the caller.
 */
import type { Domain } from '../core/model/index.js';
import type { Router } from '../routing/router.js';

/** One index entry: the domain's name (A-labels) and the backend it was listed at. */
export interface IndexedDomain {
  name: string;
  backend: string;
}

/**
 * Whether `domain` (or a contact: the contact loader, src/loaders/loaders.ts, answers another
 * registrar's as null), read from `backend`, is sponsored by someone other than `registrarId`'s login
 * there (RegistryPort.upstreamId: EPP clID, REPP login, HeadlessDomains channel id, Joker uid). A
 * read without a sponsor (an empty `sponsor`: the registry did not say) counts as the registrar's,
 * as a renewal treats it (src/operations/domain/renew-domain.ts).
 */
export function sponsoredByAnother(router: Router, registrarId: string, backend: string, domain: Pick<Domain, 'sponsor'>): boolean {
  if (!domain.sponsor) return false;
  const port = router.named(backend);
  return !port.hasAccount(registrarId) || domain.sponsor !== port.upstreamId(registrarId);
}

/**
 * `loaded` (one answer per entry of `items`, in order: the domain, null when the registry has no
 * such domain, or the read's Error) with every domain another registrar sponsors turned into null,
 * so that callers treat it as a domain the registry no longer has for this registrar (left out,
 * dropped from the index) and never pass its data on. Errors stay errors (nothing is known).
 */
export function ownOnly<T extends Pick<Domain, 'sponsor'>>(router: Router, registrarId: string, items: readonly IndexedDomain[], loaded: readonly (T | null | Error)[]): (T | null | Error)[] {
  return loaded.map((d, i) => (d === null || d instanceof Error || !sponsoredByAnother(router, registrarId, items[i]!.backend, d) ? d : null));
}

/**
 * What a registrar is answered of a domain another registrar sponsors (sponsoredByAnother), read
 * without its auth info: the name, ROID and sponsor only, as an RFC 5731 registry may limit an
 * info answer to a client that is not the sponsor and gave no auth info (section 3.1.2; Nomulus
 * answers exactly these), the same whatever the backend shows (REPP, Joker and HeadlessDomains
 * show others' domains with their contacts, name servers and dates). Lists are empty, dates,
 * registrant and backend extras null; `transfer` stays as read where the read carries it (the
 * requesting registrar's own transfer request), so Domain.transfer answers as before.
 * The README's "A first query" shows it; the full data takes the domain's auth info (`domain(name, authInfo)`).
 */
export function limitedView<T extends Domain>(d: T): T {
  return {
    ...d,
    roid: d.roid ?? null,
    statuses: [],
    rgpStatuses: [],
    registrant: null,
    contacts: [],
    nameservers: [],
    subordinateHosts: [],
    dnssec: { dsData: [], keyData: [], maxSigLife: null },
    createdBy: null,
    createdAt: null,
    updatedBy: null,
    updatedAt: null,
    expiresAt: null,
    transferredAt: null,
    authInfo: null,
    appliedNameservers: null,
    nameserverApplyStatus: null,
    lifecycleState: null,
    backendApplyStatus: null,
    registrantInfo: null,
  };
}

/** `d` (read from `backend` for `registrarId`, without auth info) as limitedView shows it when another registrar sponsors it; else `d` itself. */
export function asSeenBy<T extends Domain>(router: Router, registrarId: string, backend: string, d: T | null): T | null {
  return d && sponsoredByAnother(router, registrarId, backend, d) ? limitedView(d) : d;
}
