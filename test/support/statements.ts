import { validateStatement, type Statement, type StatementInput } from '../../src/model/index.js';

/** A valid statement with sensible defaults; override any field. */
export function stmt(overrides: Partial<StatementInput> & Pick<StatementInput, 'entityId' | 'schema' | 'prop' | 'value'>): Statement {
  return validateStatement({
    source: { agency: 'FR-CT', documentId: 'doc-1', collectedAt: '2024-01-15T10:00:00Z' },
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    handling: { codes: [], releasableTo: ['*'] },
    classification: 'UNCLASSIFIED',
    subjectCategory: 'suspect',
    nature: 'fact',
    caseIds: [],
    ...overrides,
  });
}
