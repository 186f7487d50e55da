/** governance: who may see what and why — principals, cases, purpose, handling enforcement, audit chain. */
export * from './principals.js';
export * from './access.js';
export * from './context.js';
export * from './service.js';
// Privacy and lawful use (issue 9): audit search and checkpoints, retention, re-identification,
// volume limits, DPO report, subject rights, protected-characteristic invariance.
export * from './oversight.js';
export * from './audit-search.js';
export * from './checkpoint.js';
export * from './ports.js';
export * from './limits.js';
export * from './reidentification.js';
export * from './retention.js';
export * from './disclosure.js';
export * from './dpo.js';
export * from './subject-rights.js';
export * from './protected-invariance.js';
export * from './schedule.js';
// Audit viewer and redacted dossiers (issue 10).
export * from './audit-viewer.js';
export * from './dossier.js';
