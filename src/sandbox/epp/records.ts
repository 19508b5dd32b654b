/** In-memory record shapes of the sandbox registry. */
import type { XNode } from './xml.js';

export type TransferStatus =
  | 'pending'
  | 'clientApproved'
  | 'clientCancelled'
  | 'clientRejected'
  | 'serverApproved'
  | 'serverCancelled';

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

export type GraceKind = 'addPeriod' | 'renewPeriod' | 'transferPeriod' | 'autoRenewPeriod';

export interface DsRecord {
  keyTag: number;
  alg: number;
  digestType: number;
  digest: string;
  keyData?: KeyRecord;
}

export interface KeyRecord {
  flags: number;
  protocol: number;
  alg: number;
  pubKey: string;
}

export interface DomainContactRef {
  type: 'admin' | 'tech' | 'billing';
  id: string;
}

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

export interface PhoneRecord {
  number: string;
  ext?: string;
}

export interface DiscloseRecord {
  flag: boolean;
  /** Element names in schema order; name/org/addr carry a type. */
  items: { name: 'name' | 'org' | 'addr' | 'voice' | 'fax' | 'email'; type?: 'int' | 'loc' }[];
}

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

export interface PollMessage {
  id: string;
  clientId: string;
  /** The message is visible once the clock reaches this time (qDate). */
  eventTime: Date;
  msg: string;
  resData: XNode[];
}
