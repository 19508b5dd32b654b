/**
 * The REPP sandbox's own records (deliberately not the gateway's model: a sandbox that shared the
 * adapter's types would let a symmetric mistake pass every test).
 */

/** API user roles of the Estonian registry: super (everything), epp (objects, poll), billing (balance). */
export type Role = 'super' | 'epp' | 'billing';

/** An API user: HTTP Basic username and password, and its roles (REPP document, "Authentication"). */
export interface ApiUser {
  username: string;
  password: string;
  roles: Role[];
}

/** One account transaction as "Get account balance" (detailed=true) lists it; amounts in cents. */
export interface TransactionRecord {
  at: Date;
  description: string;
  /** Signed amount in cents (debits negative). */
  cents: number;
  /** Balance after this transaction, in cents. */
  balanceCents: number;
}

/** A registrar: ids, API users, balance in cents (currency EUR) and its transactions. */
export interface RegistrarRecord {
  /** The registrar's id in the gateway's sandboxes ("NewRegistrar", "TheRegistrar"). */
  id: string;
  /** Registry code; prefixes the registrar's contact codes ("ATSAA:KARL"). */
  code: string;
  name: string;
  website: string;
  users: ApiUser[];
  balanceCents: number;
  currency: string;
  /** Oldest first. */
  transactions: TransactionRecord[];
}

/** The contact ident types of the registry: private person code, organisation registry code, birthday (yyyy-mm-dd). */
export type IdentType = 'priv' | 'org' | 'birthday';

/** A contact as stored, keyed by its code ("ATSAA:KARL"); phone "+CC.NUMBER"; ident as in the document's contact payload. */
export interface ContactRecord {
  code: string;
  /** Registrar id of the sponsor. */
  registrar: string;
  name: string;
  email: string;
  phone: string;
  ident: { code: string; type: IdentType; countryCode: string };
  authInfo: string;
  /** Statuses beyond the computed ok/linked, with their notes. */
  statuses: Map<string, string>;
  createdAt: Date;
  updatedAt: Date;
}

/** A domain's name server (an attribute of the domain, not a host object) with its glue addresses. */
export interface NameserverRecord {
  id: number;
  hostname: string;
  ipv4: string[];
  ipv6: string[];
}

/** A domain's DNSKEY: flags (0/256/257), protocol 3, algorithm number, base64 public key. */
export interface DnskeyRecord {
  id: number;
  flags: number;
  protocol: number;
  alg: number;
  publicKey: string;
}

/** An update or deletion that waits for the registrant's confirmation (`verified` not set). */
export interface PendingRegistrantAction {
  kind: 'update' | 'delete';
  /** New registrant code (update). */
  registrant?: string;
  /** When the sandbox's simulated registrant confirms it. */
  dueAt: Date;
}

/** A domain as stored, keyed by lower-case name; registrar is the sponsor's id; dates are instants (expiry at Tallinn midnight). */
export interface DomainRecord {
  id: number;
  name: string;
  registrar: string;
  registrant: string;
  admin: string[];
  tech: string[];
  nameservers: NameserverRecord[];
  dnskeys: DnskeyRecord[];
  /** Statuses set on the domain (clientHold, serverHold, server*Prohibited, pendingUpdate, ...). */
  statuses: Set<string>;
  createdAt: Date;
  updatedAt: Date;
  expiresAt: Date;
  transferCode: string;
  pending?: PendingRegistrantAction;
}

/** A poll message (REPP document, "Poll messages"): id, recipient registrar, text, attached object, read flag. */
export interface NotificationRecord {
  id: number;
  registrar: string;
  text: string;
  attachedObjType: string | null;
  attachedObjId: number | null;
  read: boolean;
  createdAt: Date;
}
