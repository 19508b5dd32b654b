export { JOKER_CAPABILITIES, JokerDriver } from './joker-driver.js';
export { jokerKind } from './kind.js';
/** A Joker backend's config entry and one reseller account's (config.ts). */
export type { JokerBackendConfig, JokerAccountConfig } from './config.js';
