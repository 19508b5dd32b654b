/** In-memory record shapes of the sandbox registry. */
import type { XNode } from './xml.js';

/** trStatus values (RFC 5731 section 3.1.3). */
export type TransferStatus =
  | 'pending'
  | 'clientApproved'
  | 'clientCancelled'
  | 'clientRejected'
  | 'serverApproved'
  | 'serverCancelled';

/** An object's latest transfer, pending or finished, as trnData shows it (RFC 5731/5733 section 3.1.3). */
export interface TransferData {
  status: TransferStatus;
  /** Requesting (gaining) registrar: reID. */
  gaining: string;
  /** Sponsor at request time (losing registrar): acID. */
  losing: string;
  reDate: Date;
  /** Auto-approve time while pending; the time of the action afterwards. */
  acDate: Date;
  /** Expiry after the transfer (domains only; shown while pending and once approved). */
  exDate?: Date;
  requestTrid: { client?: string; server: string };
}

/** RFC 3915 grace periods stored on a domain (redemptionPeriod and pendingDelete follow from `deletion`). */
export type GraceKind = 'addPeriod' | 'renewPeriod' | 'transferPeriod' | 'autoRenewPeriod';

/** secDNS:dsData (RFC 5910 section 4; RFC 4034 section 5.1 DS fields); digest in upper-case hex. */
export interface DsRecord {
  keyTag: number;
  alg: number;
  digestType: number;
  digest: string;
  keyData?: KeyRecord;
}

/** secDNS:keyData (RFC 5910 section 4; RFC 4034 section 2.1 DNSKEY fields); pubKey in base64 as sent. */
export interface KeyRecord {
  flags: number;
  protocol: number;
  alg: number;
  pubKey: string;
}

/** A domain:contact: its role and the contact id (RFC 5731 section 3.2.1). */
export interface DomainContactRef {
  type: 'admin' | 'tech' | 'billing';
  id: string;
}

/** A domain as stored (RFC 5731), keyed by name in Store.domains; dates are instants. */
export interface DomainRecord {
  name: string;
  tld: string;
  roid: string;
  sponsor: string;
  crID: string;
  crDate: Date;
  upID?: string;
  upDate?: Date;
  exDate: Date;
  trDate?: Date;
  /** client* and server* statuses (computed ones like ok/inactive/pending* are not stored). */
  statuses: Set<string>;
  registrant?: string;
  contacts: DomainContactRef[];
  /** Nameserver host objects, by host roid (renaming a host keeps the link). */
  nameservers: string[];
  authInfo: string;
  dsData: DsRecord[];
  keyData: KeyRecord[];
  maxSigLife?: number;
  transfer?: TransferData;
  grace: { kind: GraceKind; end: Date }[];
  /** Set while the domain is pending delete (redemption period, then pending delete). */
  deletion?: { redemptionEnd: Date; purgeAt: Date; trid: { client?: string; server: string } };
}

/** A host as stored (RFC 5732), keyed by roid in Store.hosts (a rename keeps domains' links). */
export interface HostRecord {
  name: string;
  roid: string;
  /** Sponsor of an external host; a subordinate host's sponsor is its superordinate domain's. */
  sponsor: string;
  crID: string;
  crDate: Date;
  upID?: string;
  upDate?: Date;
  trDate?: Date;
  statuses: Set<string>;
  addresses: { ip: 'v4' | 'v6'; addr: string }[];
  /** roid of the superordinate domain (subordinate hosts only). */
  superordinate?: string;
}

/** contact:postalInfo (RFC 5733 sections 2.3-2.4): int or loc form, street lines, city, sp, pc, two-letter cc. */
export interface PostalInfoRecord {
  type: 'int' | 'loc';
  name: string;
  org?: string;
  street: string[];
  city: string;
  sp?: string;
  pc?: string;
  cc: string;
}

/** A voice or fax number (RFC 5733 section 2.5): "+CC.NUMBER" and the optional x extension. */
export interface PhoneRecord {
  number: string;
  ext?: string;
}

/** contact:disclose (RFC 5733 section 2.9): flag (always true: flag 0 is refused) and the elements named. */
export interface DiscloseRecord {
  flag: boolean;
  /** Element names in schema order; name/org/addr carry a type. */
  items: { name: 'name' | 'org' | 'addr' | 'voice' | 'fax' | 'email'; type?: 'int' | 'loc' }[];
}

/** A contact as stored (RFC 5733), keyed by id in Store.contacts. */
export interface ContactRecord {
  id: string;
  roid: string;
  sponsor: string;
  crID: string;
  crDate: Date;
  upID?: string;
  upDate?: Date;
  trDate?: Date;
  statuses: Set<string>;
  postalInfo: PostalInfoRecord[];
  voice?: PhoneRecord;
  fax?: PhoneRecord;
  email: string;
  authInfo: string;
  disclose?: DiscloseRecord;
  transfer?: TransferData;
}

/** A queued poll message (RFC 5730 section 2.9.2.3): id "<seq>-<run>-<year>", recipient, qDate, text and resData. */
export interface PollMessage {
  id: string;
  clientId: string;
  /** The message is visible once the clock reaches this time (qDate). */
  eventTime: Date;
  msg: string;
  resData: XNode[];
}
