/** The REPP backend kind (Estonian Internet Foundation's REST EPP): config, driver. */
export { REPP_CAPABILITIES, ReppDriver } from './repp-driver.js';
export { validateReppConfig, type ReppAccountConfig, type ReppBackendConfig } from './config.js';
