/**
 * Reconciling an update whose answer was lost, when it asked to clear a value with "" (a contact's
 * voice, fax or postal org, RFC 5733 section 3.2.5; a domain's registrant, RFC 5731 section
 * 3.2.5): applied when the registry holds none, not applied while it still holds one.
 */
import { describe, expect, it } from 'vitest';
import type { Contact, ContactUpdateInput, Domain, DomainUpdateInput, PostalInfo } from '../../../src/core/model/index.js';
import { contactUpdateMismatches } from '../../../src/idempotency/reconcile/contact-host.js';
import { domainUpdateMismatches } from '../../../src/idempotency/reconcile/domain.js';

const secrets = { matches: () => true };
const POSTAL: PostalInfo = { type: 'int', name: 'Carl Clear', org: null, street: [], city: 'Dulles', sp: null, pc: null, cc: 'US' };

const contact = (over: Partial<Contact>): Contact => ({ id: 'clear-me', statuses: ['ok'], postalInfo: [POSTAL], email: 'carl@example.com', sponsor: 'NewRegistrar', ...over });
const contactUpdate = (over: Partial<ContactUpdateInput>): ContactUpdateInput => ({ id: 'clear-me', addStatuses: [], removeStatuses: [], ...over });

const NO_CHANGE = { statuses: [], contacts: [], nameservers: [] };
const domain = (registrant: string | null): Domain => ({
  name: 'x.example', statuses: ['ok'], rgpStatuses: [], registrant, contacts: [], nameservers: [], subordinateHosts: [],
  dnssec: { dsData: [], keyData: [] }, sponsor: 'NewRegistrar', authInfo: null,
});
const domainUpdate = (registrant: string): DomainUpdateInput => ({ name: 'x.example', add: NO_CHANGE, remove: NO_CHANGE, registrant });

describe('contact update clearing voice, fax or org ("")', () => {
  it('holds on a contact without them', () => {
    expect(contactUpdateMismatches(contactUpdate({ voice: '', fax: '', postalInfo: [{ ...POSTAL, org: '' }] }), contact({ voice: null, fax: null }), secrets)).toEqual([]);
  });

  it('does not hold while the contact still has them', () => {
    const still = contact({ voice: '+1.7035550100', fax: '+1.7035550101', postalInfo: [{ ...POSTAL, org: 'Clear Corp' }] });
    expect(contactUpdateMismatches(contactUpdate({ voice: '', fax: '', postalInfo: [{ ...POSTAL, org: '' }] }), still, secrets)).toEqual(['voice', 'fax', 'postal info']);
  });
});

describe('domain update removing the registrant ("")', () => {
  it('holds on a domain without one, not on a domain that still has one', () => {
    expect(domainUpdateMismatches(domainUpdate(''), domain(null), secrets)).toEqual([]);
    expect(domainUpdateMismatches(domainUpdate(''), domain('jd1234'), secrets)).toEqual(['registrant']);
  });
});
