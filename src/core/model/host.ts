/**
 * A host as the registry's info answers it (RFC 5732 section 3.1.2 <host:infData>): `name` in
 * lower-case A-labels, addresses as text, dates as UTC instants.
 */
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

/** A checked <host:create> (RFC 5732 section 3.2.1), as toHostCreate returns it: `name` in lower-case A-labels, IPv4 and IPv6 addresses (glue) as text. */
export interface HostCreateInput {
  name: string;
  ipv4: string[];
  ipv6: string[];
}

/**
 * A <host:update> (RFC 5732 section 3.2.5): addresses and client statuses to add and remove, and
 * `newName` (chg) in lower-case A-labels; toHostUpdate checks each list.
 */
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
