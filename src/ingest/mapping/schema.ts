import { z } from 'zod';

/**
 * The mapping language: one YAML or JSON document per source format. Validated in two steps —
 * shape here (zod), meaning in `compileMapping` (schemas, properties, references, formats) — and,
 * for files with a header, columns in `checkColumns` before a single row is read.
 */
const ID_PREFIX = /^[a-z][a-z0-9-]{0,31}$/;
const Slug = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lower-case letters, digits, dot, dash, underscore (max 64)');

export const OnInvalid = z.enum(['quarantine', 'skip', 'note']);

const PropertyObject = z
  .object({
    /** A column (CSV) or dotted path (JSON/XML; `@attr` for XML attributes). */
    column: z.string().min(1).optional(),
    /** Several columns joined with `join` (empty cells left out). */
    columns: z.array(z.string().min(1)).min(1).optional(),
    join: z.string().optional(),
    /** A template such as `{given_name} {surname}`; empty when every referenced column is empty. */
    template: z.string().min(1).optional(),
    /** A constant. */
    value: z.string().optional(),
    /** Another entity of this mapping (for link and reference properties). */
    entity: z.string().min(1).optional(),
    /** Date formats for this field (overrides defaults.dateFormats). */
    format: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    /** Default region for phone numbers in this field (overrides defaults.phoneRegion). */
    region: z.string().optional(),
    /** Languages of country names in this field (overrides defaults.countryLanguages). */
    languages: z.array(z.string()).optional(),
    /** Split a cell holding several values, e.g. `;`. */
    split: z.string().min(1).optional(),
    /** A regular expression the value must match; the first capture group (or `replace`) is kept. */
    pattern: z.string().min(1).optional(),
    /** Replacement for `pattern` using $1, $2… e.g. `$2 $1` to turn `DOE/JANE` into `JANE DOE`. */
    replace: z.string().optional(),
    /** Recode source values before normalising, e.g. {M: male, F: female}. */
    values: z.record(z.string(), z.string()).optional(),
    /** An empty value quarantines the row. */
    required: z.boolean().optional(),
    /** What an invalid value does: quarantine the row (default), skip the value, or keep it in the entity's notes. */
    onInvalid: OnInvalid.optional(),
  })
  .strict();

export const PropertyMapping = z.union([z.string().min(1), PropertyObject]);
export type PropertyMapping = z.infer<typeof PropertyMapping>;

export const KeyPart = z.union([z.string().min(1), z.object({ column: z.string().min(1) }).strict()]);

export const EntityMapping = z
  .object({
    schema: z.string().min(1),
    /** How the id is keyed: `$row` (the row's content hash) or property names / {column} whose values make the key. */
    key: z.union([z.literal('$row'), z.array(KeyPart).min(1)]),
    /** Id prefix after the agency (default: schema name in lower case), e.g. `phone` → fr-ct:phone.+33612345678. */
    idPrefix: z.string().regex(ID_PREFIX, 'lower-case letters, digits, dash (max 32)').optional(),
    /** An entity whose key is empty is left out instead of quarantining the row (links to it are left out too). */
    optional: z.boolean().optional(),
    subjectCategory: z.string().optional(),
    classification: z.string().optional(),
    properties: z.record(z.string(), PropertyMapping),
  })
  .strict();
export type EntityMapping = z.infer<typeof EntityMapping>;

export const MappingDocument = z
  .object({
    name: Slug,
    description: z.string().optional(),
    format: z.enum(['csv', 'json', 'jsonl', 'xml']),
    encoding: z.enum(['utf-8', 'latin1']).optional(),
    csv: z
      .object({
        delimiter: z.string().min(1).max(4).optional(),
        header: z.boolean().optional(),
        columns: z.array(z.string().min(1)).min(1).optional(),
        trim: z.boolean().optional(),
        relaxColumnCount: z.boolean().optional(),
      })
      .strict()
      .optional(),
    xml: z.object({ record: z.string().regex(/^[A-Za-z_][\w.-]*$/, 'an XML element name') }).strict().optional(),
    source: z
      .object({
        agency: z.string().optional(),
        /** Grading code: B2, eu:B2, adm:C3. */
        grading: z.string().optional(),
        /** Handling codes: H2, H1+H2, H3:conditions. */
        handling: z.string().optional(),
        releasableTo: z.array(z.string()).optional(),
        classification: z.string().optional(),
        subjectCategory: z.string().optional(),
        nature: z.string().optional(),
        cases: z.array(z.string()).optional(),
      })
      .strict()
      .default({}),
    defaults: z
      .object({
        phoneRegion: z.string().optional(),
        phoneValidation: z.enum(['valid', 'possible']).optional(),
        dateFormats: z.array(z.string().min(1)).optional(),
        timezone: z.string().optional(),
        pivotYear: z.number().int().min(0).max(99).optional(),
        countryLanguages: z.array(z.string()).optional(),
      })
      .strict()
      .default({}),
    /** Columns that must be present and non-empty in every row. */
    required: z.array(z.string().min(1)).optional(),
    entities: z.record(z.string().regex(/^[A-Za-z_][\w-]{0,63}$/, 'entity names: letters, digits, dash, underscore'), EntityMapping),
  })
  .strict();
export type MappingDocument = z.infer<typeof MappingDocument>;
