/** The server greeting (RFC 5730 section 2.4) for each sandbox profile. */
import { NS, buildDocument, isoDate, x } from './xml.js';

/** The registry the sandbox plays: 'nomulus' (domains and hosts; contact commands 2306) or 'contacts' (RFC 5730-5733 with contacts). */
export type Profile = 'contacts' | 'nomulus';

/** The greeting's <svcMenu> URIs (RFC 5730 section 2.4); login may ask only for these (2307, 2103). */
export interface ServiceMenu {
  objURIs: string[];
  extURIs: string[];
}

/**
 * nomulus: like Nomulus' own greeting since contacts were removed (host and domain only).
 * Fee and launch extensions are not offered: the sandbox does not implement them.
 * contacts: an RFC 5730-5733 registry with contact objects.
 */
export function serviceMenu(profile: Profile): ServiceMenu {
  const extURIs = [NS.rgp, NS.secDNS];
  if (profile === 'nomulus') return { objURIs: [NS.host, NS.domain], extURIs };
  return { objURIs: [NS.domain, NS.contact, NS.host], extURIs };
}

/** The greeting's <svID>: "Nomulus Registry" (nomulus profile) or "Registry Gateway EPP Sandbox". */
export function svID(profile: Profile): string {
  return profile === 'nomulus' ? 'Nomulus Registry' : 'Registry Gateway EPP Sandbox';
}

/** The <greeting> document (RFC 5730 section 2.4): svDate `now`, version 1.0, lang en, the profile's menu, a fixed <dcp>. */
export function buildGreeting(profile: Profile, now: Date): string {
  const menu = serviceMenu(profile);
  return buildDocument(
    x(
      'epp',
      { xmlns: NS.epp },
      x(
        'greeting',
        null,
        x('svID', null, svID(profile)),
        x('svDate', null, isoDate(now)),
        x(
          'svcMenu',
          null,
          x('version', null, '1.0'),
          x('lang', null, 'en'),
          menu.objURIs.map((u) => x('objURI', null, u)),
          x('svcExtension', null, menu.extURIs.map((u) => x('extURI', null, u))),
        ),
        x(
          'dcp',
          null,
          x('access', null, x('all', null)),
          x(
            'statement',
            null,
            x('purpose', null, x('admin', null), x('prov', null)),
            x('recipient', null, x('ours', null), x('public', null)),
            x('retention', null, x('indefinite', null)),
          ),
        ),
      ),
    ),
  );
}
