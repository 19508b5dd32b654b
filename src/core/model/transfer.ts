/** A transfer's status (RFC 5731 section 3.1.3 <domain:trStatus>: the values of the eppcom-1.0 schema's trStatusType, RFC 5730). */
export type TransferStatus =
  | 'pending'
  | 'clientApproved'
  | 'clientCancelled'
  | 'clientRejected'
  | 'serverApproved'
  | 'serverCancelled';

/**
 * A transfer as the registry's transfer query answers it (RFC 5731 section 3.1.3 <domain:trnData>):
 * reID/reDate, acID/acDate, exDate, the dates as UTC instants.
 */
export interface Transfer {
  /** Domain name (or contact id for contact transfers). */
  name: string;
  status: TransferStatus;
  gainingRegistrar: string;
  requestedAt: Date;
  losingRegistrar: string;
  /** When the losing registrar must act by (auto-approve time) or when it acted. */
  actionAt: Date;
  /** Expiry after the transfer, where the registry says. */
  expiresAt?: Date | null;
}

/** A <transfer> op that acts (RFC 5730 section 2.9.3.4); RegistryPort.transferDomain also takes `'query'`, which only reads. */
export type TransferOp = 'request' | 'approve' | 'reject' | 'cancel';
