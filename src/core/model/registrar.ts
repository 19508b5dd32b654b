/** An amount as the registry gives it: a decimal string (never a float), and the ISO 4217 currency code. */
export interface Money {
  amount: string;
  currency: string;
}

/** The gateway registrar's account at one upstream. */
export interface UpstreamAccount {
  backend: string;
  upstreamId: string;
  balance?: Money | null;
}

/**
 * What the registry queued for one command, as its own list of requests shows it (Joker DMAPI
 * "result-list": Proc-ID and status ack, nack or "?"); a command the registry carries out as
 * several requests is taken as one.
 */
export interface QueuedRequest {
  /** The registry's ids of the requests (Joker: their Proc-IDs, comma-separated). */
  id: string;
  /** pending: any not processed yet ("?"); refused: any not carried out (nack); completed: all processed (ack). */
  status: 'pending' | 'completed' | 'refused';
}

/**
 * What a registry says about the registrar's own account (HeadlessDomains GET /status: channel
 * approval, approved namespace listings, production approval, key scopes, rate-limit state, the
 * registry service's commands and contract, the audit provenance channel id). `raw` is the
 * registry's answer as JSON, for an evidence archive.
 */
export interface AccountStatus {
  channelId: string;
  channelName?: string | null;
  channelApproved: boolean;
  namespaces: { tld: string; status: string }[];
  productionApproved: boolean;
  environment?: string | null;
  keyProfile?: string | null;
  scopes: string[];
  rateLimit?: { limit: number; remaining: number; windowSeconds: number; resetAt: Date | null } | null;
  commands: string[];
  /** The registry service contract, as name -> value. */
  contract: { name: string; value: string }[];
  auditChannelId: string;
  raw: string;
}

/** What a sandbox reset re-created (HeadlessDomains POST /sandbox/reset: the OT&E fixtures). */
export interface SandboxResetResult {
  resetAt: Date | null;
  /** Fixture role -> domain name (available, renewal, update, transfer, nameservers, delete). */
  fixtures: { role: string; domain: string }[];
  /** The transfer fixture's auth code, for recording transfer intent on it. */
  transferAuthInfo?: string | null;
  commandId?: string | null;
}
