/** The mapping language: documents (zod), compilation against the schema registry, the row mapper. */
export { MappingDocument, EntityMapping, PropertyMapping } from './schema.js';
export { loadMapping, compileMapping, checkColumns, mappingError, type CompiledMapping, type EntityPlan, type PropertyPlan } from './compile.js';
export { createRowMapper, type RowMapper, type RowResult, type MappedEntity } from './engine.js';
