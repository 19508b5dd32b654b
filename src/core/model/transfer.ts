export type TransferStatus =
  | 'pending'
  | 'clientApproved'
  | 'clientCancelled'
  | 'clientRejected'
  | 'serverApproved'
  | 'serverCancelled';

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

export type TransferOp = 'request' | 'approve' | 'reject' | 'cancel';
