/** The HeadlessDomains backend kind (registrar API v1 before EPP): config, driver. */
export { HeadlessDriver, capabilitiesFrom } from './driver.js';
export { readToken, tokenVariable, validateHeadlessConfig, type HeadlessAccountConfig, type HeadlessBackendConfig } from './config.js';
