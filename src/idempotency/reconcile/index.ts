/**
 * One reconcile function per mutation, keyed by operation name. Each reads the registry's state
 * through the port (domain/contact/host info, transfer query) and says whether a command whose
 * answer was lost took effect: applied (with the result the mutation would have stored),
 * not applied (safe to send again), or unknown.
 */
import type { Router } from '../../routing/router.js';
import * as contactHost from './contact-host.js';
import * as domain from './domain.js';
import * as local from './local.js';
import * as transfer from './transfer.js';
import type { OperationSpec } from './types.js';

const byDomain = (args: { name: string }, router: Router) => router.forDomain(args.name).name;
const byRegistry = (args: { registry: string }) => args.registry;

/**
 * For commands the registry itself deduplicates by the gateway's idempotency key (HeadlessDomains
 * answers a request repeated with the same Idempotency-Key from its own record, registrar API v1):
 * sending again cannot apply twice, so the retry sends and gets the registry's stored answer.
 */
const resendable: OperationSpec['reconcile'] = async () => ({
  status: 'not-applied',
  how: "sent again under the same Idempotency-Key: the registry answers a repeat from its own record",
});

/**
 * Mutations outside this table keep exactly-once by other means: a bulk job is written with all
 * its items in one transaction under its own unique (registrar, key), and each item runs as a
 * mutation of this table under a key derived from the job's (src/bulk/submit.ts), or, on a
 * backend with native bulk endpoints, in a chunk whose items are marked before it is sent and
 * reconciled with these functions when they run again (src/bulk/native.ts).
 */
export const BULK_SUBMISSIONS = ['bulkRenew', 'bulkTransfer', 'bulkReplaceNameserver', 'bulkReplaceTechContact', 'bulkUpdateStatuses'] as const;

/**
 * Operation name (the GraphQL mutation) -> its state-changing command, the backend it goes to, and
 * its reconcile function; `command` null for gateway-local operations (ackPollMessage, cancelBulkJob).
 */
export const OPERATIONS: Readonly<Record<string, OperationSpec>> = {
  createDomain: { command: 'domain:create', backendOf: byDomain, reconcile: domain.createDomain },
  renewDomain: { command: 'domain:renew', backendOf: byDomain, reconcile: domain.renewDomain },
  updateDomain: { command: 'domain:update', backendOf: byDomain, reconcile: domain.updateDomain },
  deleteDomain: { command: 'domain:delete', backendOf: byDomain, reconcile: domain.deleteDomain },
  restoreDomain: { command: 'domain:restore', backendOf: byDomain, reconcile: domain.restoreDomain },
  requestTransfer: { command: 'domain:transfer:request', backendOf: byDomain, reconcile: transfer.requestTransfer },
  approveTransfer: { command: 'domain:transfer:approve', backendOf: byDomain, reconcile: transfer.approveTransfer },
  rejectTransfer: { command: 'domain:transfer:reject', backendOf: byDomain, reconcile: transfer.rejectTransfer },
  cancelTransfer: { command: 'domain:transfer:cancel', backendOf: byDomain, reconcile: transfer.cancelTransfer },
  createContact: { command: 'contact:create', backendOf: byRegistry, reconcile: contactHost.createContact },
  updateContact: { command: 'contact:update', backendOf: byRegistry, reconcile: contactHost.updateContact },
  deleteContact: { command: 'contact:delete', backendOf: byRegistry, reconcile: contactHost.deleteContact },
  createHost: { command: 'host:create', backendOf: byRegistry, reconcile: contactHost.createHost },
  updateHost: { command: 'host:update', backendOf: byRegistry, reconcile: contactHost.updateHost },
  deleteHost: { command: 'host:delete', backendOf: byRegistry, reconcile: contactHost.deleteHost },
  ackPollMessage: { command: null, backendOf: () => null, reconcile: local.ackPollMessage },
  cancelBulkJob: { command: null, backendOf: () => null, reconcile: local.cancelBulkJob },
  sandboxReset: { command: 'sandbox:reset', backendOf: byRegistry, reconcile: resendable },
};

/** The reconciliation types (./types.ts), for callers of this table. */
export type { OperationSpec, ReconcileFn, ReconcileInput, Verdict } from './types.js';
