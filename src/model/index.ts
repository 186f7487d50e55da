/** model: what the world looks like — schemas, statements, grading, handling, legal categories. */
export * from './errors.js';
export * from './ids.js';
export * from './values.js';
export * from './grading.js';
export * from './handling.js';
export * from './schemas.js';
export * from './statement.js';
export * from './entity.js';
export * from './protected.js';
export * from './ftm.js';
export * from './audit.js';
export * from './random.js';
export * from './gazetteer.js';
