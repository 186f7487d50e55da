/** governance: who may see what and why — principals, cases, purpose, handling enforcement, audit chain. */
export * from './principals.js';
export * from './access.js';
export * from './context.js';
export * from './service.js';
