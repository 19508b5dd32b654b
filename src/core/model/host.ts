export interface Host {
  name: string;
  roid?: string | null;
  statuses: string[];
  ipv4: string[];
  ipv6: string[];
  sponsor: string;
  createdBy?: string | null;
  createdAt?: Date | null;
  updatedBy?: string | null;
  updatedAt?: Date | null;
  transferredAt?: Date | null;
}

export interface HostCreateInput {
  name: string;
  ipv4: string[];
  ipv6: string[];
}

export interface HostUpdateInput {
  name: string;
  addIpv4: string[];
  addIpv6: string[];
  removeIpv4: string[];
  removeIpv6: string[];
  addStatuses: string[];
  removeStatuses: string[];
  newName?: string | null;
}
