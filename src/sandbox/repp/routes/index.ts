/** Every route of the REPP sandbox, in the document's order. */
import { balanceRoutes } from './balance.js';
import { bulkRoutes } from './bulk.js';
import type { Route } from './common.js';
import { contactRoutes } from './contacts.js';
import { dnssecRoutes } from './dnssec.js';
import { domainChangeRoutes } from './domain-changes.js';
import { domainContactRoutes } from './domain-contacts.js';
import { domainRoutes } from './domains.js';
import { nameserverRoutes } from './nameservers.js';
import { notificationRoutes } from './notifications.js';
import { statusRoutes } from './statuses.js';
import { transferRoutes } from './transfers.js';

/** Every REPP endpoint the sandbox serves, grouped in the document's order; the Router picks among them. */
export const ROUTES: readonly Route[] = [
  ...balanceRoutes,
  ...notificationRoutes,
  ...contactRoutes,
  ...domainRoutes,
  ...domainChangeRoutes,
  ...domainContactRoutes,
  ...nameserverRoutes,
  ...dnssecRoutes,
  ...statusRoutes,
  ...transferRoutes,
  ...bulkRoutes,
];

/** Route shapes (routes/common.ts). */
export type { Ctx, Env, Reply, Route } from './common.js';
