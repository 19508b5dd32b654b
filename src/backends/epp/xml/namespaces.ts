/** EPP namespace URIs (RFC 5730-5734, RFC 5910, RFC 3915) and the prefixes the adapter writes. */
export const NS = {
  epp: 'urn:ietf:params:xml:ns:epp-1.0',
  eppcom: 'urn:ietf:params:xml:ns:eppcom-1.0',
  domain: 'urn:ietf:params:xml:ns:domain-1.0',
  host: 'urn:ietf:params:xml:ns:host-1.0',
  contact: 'urn:ietf:params:xml:ns:contact-1.0',
  secDNS: 'urn:ietf:params:xml:ns:secDNS-1.1',
  rgp: 'urn:ietf:params:xml:ns:rgp-1.0',
} as const;

/** Object URIs the adapter understands (it logs in with those the greeting offers). */
export const UNDERSTOOD_OBJ_URIS: readonly string[] = [NS.domain, NS.host, NS.contact];
/** Extension URIs the adapter understands. */
export const UNDERSTOOD_EXT_URIS: readonly string[] = [NS.secDNS, NS.rgp];

/** The prefix the adapter writes for each object/extension namespace it emits. */
export type ObjectPrefix = 'domain' | 'host' | 'contact' | 'secDNS' | 'rgp';

/** The `xmlns:<prefix>` declaration attribute for one of the adapter's own prefixes. */
export function xmlnsAttr(prefix: ObjectPrefix): Record<string, string> {
  return { [`xmlns:${prefix}`]: NS[prefix] };
}
