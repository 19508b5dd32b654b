/** EPP backend adapter (RFC 5730-5734, secDNS-1.1 RFC 5910, RGP RFC 3915). */
export { EppBackend, type EppBackendOptions } from './epp-backend.js';
export { EppDriver, type EppDriverOptions } from './epp-driver.js';
export type { EppCommandEvent, EppLogger } from './types.js';
export { redact, maskSecrets } from './xml/redact.js';
export { capabilitiesFrom } from './commands/hello.js';
export type { EppGreeting, EppResponse } from './xml/envelope.js';
