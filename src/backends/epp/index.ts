/** EPP backend adapter (RFC 5730-5734, secDNS-1.1 RFC 5910, RGP RFC 3915). */
export { EppBackend, type EppBackendOptions } from './epp-backend.js';
export { EppDriver, type EppDriverOptions } from './epp-driver.js';
/** The command-log event of one EPP command attempt (the portable layer's), and the pino-compatible logger the adapter takes. */
export type { EppCommandEvent, EppLogger } from './types.js';
export { redact, maskSecrets } from './xml/redact.js';
export { capabilitiesFrom } from './commands/hello.js';
/** A parsed `<greeting>` (RFC 5730 section 2.4) and `<response>` (RFC 5730 section 2.6). */
export type { EppGreeting, EppResponse } from './xml/envelope.js';
