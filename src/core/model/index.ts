export * from './common.js';
export * from './domain.js';
export * from './contact.js';
export * from './host.js';
export * from './transfer.js';
export * from './poll.js';
export * from './registrar.js';
export * from './bulk.js';
