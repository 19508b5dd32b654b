export { JOKER_CAPABILITIES, JokerDriver } from './joker-driver.js';
export { jokerKind } from './kind.js';
export type { JokerBackendConfig, JokerAccountConfig } from './config.js';
