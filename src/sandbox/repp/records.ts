/**
 * The REPP sandbox's own records (deliberately not the gateway's model: a sandbox that shared the
 * adapter's types would let a symmetric mistake pass every test).
 */

/** API user roles of the Estonian registry: super (everything), epp (objects, poll), billing (balance). */
export type Role = 'super' | 'epp' | 'billing';

export interface ApiUser {
  username: string;
  password: string;
  roles: Role[];
}

export interface TransactionRecord {
  at: Date;
  description: string;
  /** Signed amount in cents (debits negative). */
  cents: number;
  /** Balance after this transaction, in cents. */
  balanceCents: number;
}

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

export type IdentType = 'priv' | 'org' | 'birthday';

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

export interface NameserverRecord {
  id: number;
  hostname: string;
  ipv4: string[];
  ipv6: string[];
}

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

export interface NotificationRecord {
  id: number;
  registrar: string;
  text: string;
  attachedObjType: string | null;
  attachedObjId: number | null;
  read: boolean;
  createdAt: Date;
}
