export interface PostalInfo {
  type: 'int' | 'loc';
  name: string;
  org?: string | null;
  street: string[];
  city: string;
  sp?: string | null;
  pc?: string | null;
  cc: string;
}

export interface Contact {
  id: string;
  roid?: string | null;
  statuses: string[];
  postalInfo: PostalInfo[];
  voice?: string | null;
  fax?: string | null;
  email: string;
  sponsor: string;
  createdBy?: string | null;
  createdAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
  transferredAt?: Date | null;
  authInfo?: string | null;
}

export interface ContactCreateInput {
  id: string;
  postalInfo: PostalInfo[];
  voice?: string | null;
  fax?: string | null;
  email: string;
  authInfo: string;
}

export interface ContactUpdateInput {
  id: string;
  addStatuses: string[];
  removeStatuses: string[];
  postalInfo?: PostalInfo[] | null;
  voice?: string | null;
  fax?: string | null;
  email?: string | null;
  authInfo?: string | null;
}
