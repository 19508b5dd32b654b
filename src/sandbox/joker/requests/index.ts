/** Every request the sandbox answers, by its name (names are case-insensitive; aliases as the document lists them). */
import type { Handler } from './common.js';
import { domainModify } from './domain-modify.js';
import * as d from './domains.js';
import * as o from './objects.js';
import * as q from './queries.js';
import * as r from './results.js';
import { login, logout } from './session.js';

/** Handlers by lower-case request name, as POST/GET /request/<name> calls them (DMAPI document, one section per request). */
export const REQUESTS: Readonly<Record<string, Handler>> = {
  login,
  logout,
  'result-list': r.resultList,
  'result-retrieve': r.resultRetrieve,
  'result-delete': r.resultDelete,
  'query-domain-list': q.queryDomainList,
  'query-contact-list': q.queryContactList,
  'query-ns-list': q.queryNsList,
  'query-host-list': q.queryNsList,
  'query-whois': q.queryWhois,
  'query-object': q.queryWhois,
  'query-profile': q.queryProfile,
  'domain-get-property': q.domainGetProperty,
  'contact-create': o.contactCreate,
  'contact-modify': o.contactModify,
  'contact-delete': o.contactDelete,
  'ns-create': o.nsCreate,
  'host-create': o.nsCreate,
  'ns-modify': o.nsModify,
  'host-modify': o.nsModify,
  'ns-delete': o.nsDelete,
  'host-delete': o.nsDelete,
  'domain-register': d.domainRegister,
  'domain-renew': d.domainRenew,
  'domain-transfer-in-reseller': d.domainTransferIn,
  'domain-modify': domainModify,
  'domain-delete': d.domainDelete,
  'domain-redeem': d.domainRedeem,
  'domain-lock': d.domainLock,
  'domain-unlock': d.domainUnlock,
  'domain-set-property': d.domainSetProperty,
  'domain-transfer-get-auth-id': d.domainGetAuthId,
};
