/**
 * What a backend can do, filled from the EPP greeting or the backend's config
 * (like epp-proxy's ServerFeatures). Asking for something a backend lacks throws
 * UnsupportedByBackend before anything is sent.
 */
export interface Capabilities {
  /** Contact objects (Nomulus has none since 2025-12: every contact command answers 2306). */
  contacts: boolean;
  /** Host objects (EPP RFC 5732); when false, name servers are host attributes. */
  hostObjects: boolean;
  /** DNSSEC (RFC 5910 secDNS-1.1). */
  dnssec: boolean;
  /** DS data interface (true) or key data interface only (false). */
  dnssecDsData: boolean;
  /** Redemption grace period restore (RFC 3915). */
  restore: boolean;
  /** Transfer approve/reject/cancel by the registrars themselves. */
  transferActions: boolean;
  /** A poll queue of upstream messages. */
  poll: boolean;
  /** A balance the registrar can read. */
  balance: boolean;
  /** The backend can list the registrar's domains itself. */
  listDomains: boolean;
  /** The registry assigns contact ids; a custom id is optional (REPP); otherwise the registrar chooses every id (EPP). */
  contactIdsAssigned: boolean;
  /** Contacts carry a registry identity (REPP ident: code, type, country), required on create. */
  contactIdent: boolean;
  /** Native bulk actions: transfer, tech contact replacement, name server change, renew, each in one request (REPP). */
  bulk: boolean;
  /**
   * The registrar's contact list carries the contacts themselves, 200 a page (REPP `GET
   * /repp/v1/contacts?details=true`): a request that reads several contacts reads the list instead
   * of one info each when that is fewer requests (src/loaders/loaders.ts).
   */
  contactList?: boolean;
  /**
   * A transfer request carries the period it adds (EPP, RFC 5731 section 3.2.4): true for any
   * period, 'one-year' when the registry's policy takes one year only (EppBackendConfig.transferPeriods:
   * Nomulus). Absent or false: the registry takes none (REPP, HeadlessDomains, Joker) and its own
   * rule applies. Either way short of true, a period other than the default one year is refused
   * (checkTransferPeriod) instead of dropped or sent to be refused.
   */
  transferPeriod?: boolean | 'one-year';
  /** Registrant metadata (name, e-mail, organisation) kept on the domain itself (HeadlessDomains). */
  registrantInfo?: boolean;
  /** Period units the backend accepts. */
  periodUnits: Array<'y' | 'm'>;
}

/** A boolean capability's name (every Capabilities key but periodUnits), as UnsupportedByBackend checks name them. */
export type Capability = Exclude<keyof Capabilities, 'periodUnits'>;

/** A backend that offers nothing optional: every flag false, years only. */
export const NO_CAPABILITIES: Capabilities = {
  contacts: false,
  hostObjects: false,
  dnssec: false,
  dnssecDsData: false,
  restore: false,
  transferActions: false,
  poll: false,
  balance: false,
  listDomains: false,
  contactIdsAssigned: false,
  contactIdent: false,
  bulk: false,
  periodUnits: ['y'],
};

/**
 * What a backend's kind and configuration fix of its capabilities, known without asking the
 * registry: `capabilities`, of which the flags listed in `unknown` only the registry can tell (an
 * EPP registry's contacts, hosts, DNSSEC and restore from its greeting; HeadlessDomains' poll queue
 * from GET /status) and must not be read. Every other flag is what capabilities() answers for
 * every account of the backend.
 */
export interface KnownCapabilities {
  capabilities: Capabilities;
  unknown: ReadonlyArray<keyof Capabilities>;
}

/** Every capability unknown: a backend that tells nothing without asking its registry. */
export const NOTHING_KNOWN: KnownCapabilities = {
  capabilities: NO_CAPABILITIES,
  unknown: [...(Object.keys(NO_CAPABILITIES) as Array<keyof Capabilities>), 'contactList', 'transferPeriod', 'registrantInfo'],
};

/**
 * Thrown by locallyKnown's capabilities when a check reads a flag only the registry can tell: the
 * check cannot be decided without a round trip (src/operations/checks.ts refuseLocally stops there).
 * Never reaches a client.
 */
export class CapabilityNotKnownLocally extends Error {
  constructor(readonly capability: string) {
    super(`capability "${capability}" is known only from the registry`);
    this.name = 'CapabilityNotKnownLocally';
  }
}

/**
 * `known` as Capabilities for a check that must not ask the registry: reading a flag in
 * `known.unknown` throws CapabilityNotKnownLocally, so the check stops exactly where its outcome
 * would depend on the registry, and whatever it decided before that is what the same check decides
 * with the live capabilities.
 */
export function locallyKnown(known: KnownCapabilities): Capabilities {
  if (known.unknown.length === 0) return known.capabilities;
  const unknown = new Set<PropertyKey>(known.unknown);
  return new Proxy(known.capabilities, {
    get(target, prop, receiver) {
      if (unknown.has(prop)) throw new CapabilityNotKnownLocally(String(prop));
      return Reflect.get(target, prop, receiver);
    },
  });
}
