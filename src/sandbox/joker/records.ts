/**
 * The Joker sandbox's own records (deliberately separate from the gateway's model and from the
 * adapter: a symmetric bug must not pass). Times are ms since the epoch of the injected clock.
 */

/** A reseller account: its Joker user id (UID), its API key and its web login. */
export interface Reseller {
  uid: string;
  /** The gateway registrar this reseller stands for (NewRegistrar, TheRegistrar). */
  registrarId: string;
  apiKey: string;
  username: string;
  password: string;
  balanceCents: number;
}

/** A login session (DMAPI "login" Auth-SID): its id, the reseller's UID, and when it was last used (ms, for the idle timeout). */
export interface Session {
  sid: string;
  uid: string;
  lastSeen: number;
}

/** A contact handle and its fields (contact-create's "Contact fields"). */
export interface ContactRec {
  handle: string;
  reseller: string;
  tld: string;
  fields: Record<string, string>;
  created: number;
  modified: number;
}

/** A name server (ns-create): IPv4 and IPv6 address or null. */
export interface HostRec {
  host: string;
  reseller: string;
  ip: string | null;
  ipv6: string | null;
  created: number;
}

/** A domain as stored, keyed by lower-case name: contact handles by role, name servers, lock/autorenew/privacy, times in ms. */
export interface DomainRec {
  name: string;
  reseller: string;
  owner: string;
  billing: string;
  admin: string;
  tech: string;
  ns: string[];
  /** DNSSEC entries as sent: "tag:alg:digest-type:digest" (DS), or "protocol:alg:flags:pubkey-base64" under de. */
  ds: string[];
  lock: boolean;
  autorenew: boolean;
  privacy: string;
  created: number;
  modified: number;
  expires: number;
  /** The transfer Auth-ID (domain-transfer-get-auth-id makes a new one). */
  authId: string;
  /** Set while the domain is in its redemption grace period after domain-delete. */
  deletedAt: number | null;
  /**
   * The registration fee this reseller paid at domain-register, in cents: what a domain-delete
   * within 3 days of registration refunds (DMAPI "domain-delete"; renewals are not refundable).
   * 0 for seeded and transferred-in domains, and once refunded.
   */
  registrationCents: number;
}

/** A result's status as result-list shows it (DMAPI "result-list"): ack (processed), nack (refused), ? (not yet processed). */
export type JobStatus = 'ack' | 'nack' | '?';

/** An asynchronous request: accepted with a Proc-ID, processed when due, its answer kept until result-delete. */
export interface Job {
  procId: string;
  svTrId: string;
  cltrid: string;
  reseller: string;
  type: string;
  object: string;
  acceptedAt: number;
  dueAt: number;
  status: JobStatus;
  /** The processing result as header lines; null until processed or after result-delete. */
  answer: Array<[string, string]> | null;
  deleted: boolean;
  /** Its result keeps the status only, no detailed content (a test's fault, JokerSandbox.statusOnlyResult). */
  statusOnly?: boolean;
  /** Applies the request to the registry; throws a Refusal to nack it. Returns extra answer headers. */
  apply(now: number): Array<[string, string]>;
}
