import type { ContactRole, Period } from './common.js';
import type { Transfer } from './transfer.js';

/** RFC 5910 DS data (with optional key data); key-data-only registries use `keyData` alone. */
export interface DsData {
  keyTag: number;
  algorithm: number;
  digestType: number;
  digest: string;
  keyData?: KeyData | null;
}

/** RFC 5910 key data (DNSKEY fields). */
export interface KeyData {
  flags: number;
  protocol: number;
  algorithm: number;
  publicKey: string;
}

/** A domain's DNSSEC data (RFC 5910 section 4): DS or key data records, `maxSigLife` in seconds. */
export interface Dnssec {
  dsData: DsData[];
  keyData: KeyData[];
  maxSigLife?: number | null;
}

/** One contact of a domain (RFC 5731 section 2.2): its role and the contact object's id (RFC 5733 clIDType). */
export interface DomainContact {
  role: ContactRole;
  id: string;
}

/** A name server as a domain refers to it: host object name, or host attribute with addresses. */
export interface DomainNameserver {
  name: string;
  ipv4: string[];
  ipv6: string[];
}

/**
 * A domain as the registry's info answers it (RFC 5731 section 3.1.2 <domain:infData>): `name` in
 * lower-case A-labels, ids are upstream object/registrar ids, dates are UTC instants (crDate,
 * upDate, exDate, trDate). Backend-specific extras are null or absent where a registry has none.
 */
export interface Domain {
  name: string;
  roid?: string | null;
  /** EPP status values (ok, clientHold, serverTransferProhibited, pendingTransfer, ...). */
  statuses: string[];
  /** RGP status values (addPeriod, redemptionPeriod, pendingDelete, ...). */
  rgpStatuses: string[];
  registrant?: string | null;
  contacts: DomainContact[];
  nameservers: DomainNameserver[];
  /** Subordinate host names (host objects under this domain). */
  subordinateHosts: string[];
  dnssec: Dnssec;
  /** Sponsoring upstream registrar id (EPP clID). */
  sponsor: string;
  createdBy?: string | null;
  createdAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
  expiresAt?: Date | null;
  transferredAt?: Date | null;
  /** Only present when the registry returned it (it does so only to the sponsor). */
  authInfo?: string | null;
  /**
   * Where a registry applies name-server changes later (HeadlessDomains "pending backend apply"):
   * `nameservers` is the desired set, this the set the backend has applied, and
   * `nameserverApplyStatus` says whether they still differ. Null elsewhere.
   */
  appliedNameservers?: DomainNameserver[] | null;
  nameserverApplyStatus?: 'applied' | 'pending' | null;
  /** The registry's lifecycle state where it keeps one (HeadlessDomains: active, pending_cancel, cancelled, protected_recovery). */
  lifecycleState?: string | null;
  /** Any backend apply (name servers, cancellation, transfer) still pending. */
  backendApplyStatus?: 'applied' | 'pending' | null;
  /** Registrant metadata held on the domain itself (HeadlessDomains), where there is no contact object. */
  registrantInfo?: RegistrantInfo | null;
  /**
   * The latest transfer as the registry's transfer query would answer it, where the domain read
   * already carries it (HeadlessDomains: the registration's transfer intent; Joker: from the
   * pending requests and the sponsor); null: none. Absent: ask the transfer query (EPP, REPP).
   * `Domain.transfer` answers from it, so such a domain's transfer costs no second read.
   */
  transfer?: Transfer | null;
}

/** Registrant metadata kept on the registration (HeadlessDomains PATCH registrant). */
export interface RegistrantInfo {
  name?: string | null;
  email?: string | null;
  organization?: string | null;
}

/**
 * A checked <domain:create> (RFC 5731 section 3.2.1), as toDomainCreate (src/validation/inputs.ts)
 * returns it: name in lower-case A-labels, at most 13 name servers, auth info 6-64 characters.
 */
export interface DomainCreateInput {
  name: string;
  period: Period;
  registrant?: string | null;
  contacts: DomainContact[];
  nameservers: DomainNameserver[];
  authInfo: string;
  dnssec?: { dsData: DsData[]; keyData: KeyData[] } | null;
  /** Registrant metadata, for registries that keep it on the domain (HeadlessDomains). */
  registrantInfo?: RegistrantInfo | null;
}

/** A create's answer (RFC 5731 section 3.2.1 <domain:creData>): crDate and exDate as UTC instants. */
export interface DomainCreated {
  name: string;
  createdAt: Date;
  expiresAt?: Date | null;
}

/** A checked <domain:renew> (RFC 5731 section 3.2.3); `name` in lower-case A-labels. */
export interface DomainRenewInput {
  name: string;
  /** Current expiry date (EPP curExpDate): makes a blind resend unable to renew twice. */
  currentExpiry: Date;
  period: Period;
}

/** A renewal's answer (RFC 5731 section 3.2.3 <domain:renData>): the new exDate as a UTC instant. */
export interface DomainRenewed {
  name: string;
  expiresAt: Date;
}

/**
 * A checked <domain:update> (RFC 5731 section 3.2.5 add/rem/chg; RFC 5910 section 5.2.5 for
 * `dnssec`, applied rem before add, `maxSigLife` in seconds), as toDomainUpdate returns it.
 */
export interface DomainUpdateInput {
  name: string;
  add: { statuses: string[]; contacts: DomainContact[]; nameservers: DomainNameserver[] };
  remove: { statuses: string[]; contacts: DomainContact[]; nameservers: DomainNameserver[] };
  /** The new registrant's contact id; "": remove the registrant (the empty <domain:registrant/>, RFC 5731 section 3.2.5); null: unchanged. */
  registrant?: string | null;
  authInfo?: string | null;
  /** Registrant metadata to set, for registries that keep it on the domain (HeadlessDomains). */
  registrantInfo?: RegistrantInfo | null;
  dnssec?: {
    addDsData: DsData[];
    removeDsData: DsData[];
    addKeyData: KeyData[];
    removeKeyData: KeyData[];
    removeAll?: boolean;
    maxSigLife?: number | null;
  } | null;
}

/** A delete's answer (RFC 5731 section 3.2.2); `pending` when the registry answered 1001 (RFC 5730 section 3). */
export interface DomainDeleted {
  name: string;
  /** true when the registry answered 1001 (pending delete, e.g. redemption grace period). */
  pending: boolean;
}
