import { describe, expect, it } from 'vitest';
import type { Dossier } from '../governance/index.js';
import { escapeHtml, exportFileName, renderDossierHtml } from './services/dossier-html.js';

describe('exportFileName', () => {
  it.each([
    ['../../etc/passwd', 'etc-passwd.pdf'],
    ['..\\..\\windows\\system32', 'windows-system32.pdf'],
    ['/absolute/path.pdf', 'absolute-path.pdf'],
    ['report"; filename="evil.exe', 'report-filename-evil-exe.pdf'],
    ['line\r\nSet-Cookie: x=1', 'line-Set-Cookie-x-1.pdf'],
    ['Dossier Bénali', 'Dossier-Benali.pdf'],
    ['..', 'fallback-name.pdf'],
    ['', 'fallback-name.pdf'],
    ['%2e%2e%2f', '2e-2e-2f.pdf'],
    ['a'.repeat(300), `${'a'.repeat(80)}.pdf`],
  ])('%j → %s', (name, expected) => {
    expect(exportFileName(name, 'fallback/name', 'pdf')).toBe(expected);
  });

  it('uses the fallback when no name is given, and keeps only the chosen extension', () => {
    expect(exportFileName(undefined, 'dossier-fr-ct:p1-for-BE-CT-2026-01-02', 'html')).toBe('dossier-fr-ct-p1-for-BE-CT-2026-01-02.html');
    expect(exportFileName('brief.html', 'x', 'pdf')).toBe('brief.pdf');
  });
});

describe('renderDossierHtml', () => {
  const probe = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
  const entity = (id: string, caption: string, value: string) => ({
    id,
    schema: 'Person',
    caption,
    properties: {
      name: [
        {
          value,
          provenance: [
            {
              statementId: 's1',
              agency: 'FR-CT',
              documentId: `doc-${probe}`,
              collectedAt: '2024-02-01T09:00:00Z',
              grading: { system: 'EU4x4' as const, source: 'B', info: '2' },
              handling: { codes: ['H1' as const], releasableTo: ['*'] },
              classification: 'UNCLASSIFIED',
              subjectCategory: 'suspect' as const,
              nature: 'fact' as const,
              caseIds: ['FR-OP-SECRET-NAME'],
            },
          ],
        },
      ],
    },
    agencies: ['FR-CT'],
    conflicts: [],
    statementCount: 1,
    firstSeen: undefined,
    lastSeen: undefined,
  });
  const dossier = {
    kind: 'subject',
    title: `Subject dossier: ${probe}`,
    subjectId: 'fr-ct:p1',
    case: { id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT' },
    preparedBy: { userId: 'fr.analyst', name: 'Analyst FR', agency: 'FR-CT' },
    purpose: `Purpose with ${probe}`,
    recipient: { agency: 'BE-CT', country: 'BE', clearance: 'RESTRICTED', name: 'Belgian CT unit' },
    generatedAt: '2026-01-02T10:00:00.000Z',
    entities: [entity('fr-ct:p1', probe, probe)],
    links: [{ entity: { ...entity('fr-ct:pu1', 'PhoneUse', 'x'), schema: 'PhoneUse' }, ends: [{ role: 'person', id: 'fr-ct:p1', caption: probe }, { role: 'phone', id: 'fr-ct:ph9', caption: undefined }], startDate: '2023-06-01', endDate: undefined }],
    released: 3,
    withheld: { classification: 1, releasability: 2, H2: 3, H3: 4 },
    caveats: { H1: 1, H2: 0 },
    omittedEntities: 0,
    auditSeq: 42,
  } as unknown as Dossier;
  const html = renderDossierHtml(dossier);

  it('escapes every value, caption, title, purpose and document id', () => {
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script>');
    expect(html.split(escapeHtml(probe)).length - 1).toBeGreaterThanOrEqual(6);
  });

  it('lists what was withheld per reason with the rule, never content; marks the recipient and the disclosure', () => {
    for (const [reason, n] of [['classification', 1], ['releasability', 2], ['H2', 3], ['H3', 4]] as const) {
      expect(html).toMatch(new RegExp(`<tr data-reason="${reason}"><th scope="row">${reason}</th><td>[^<]+</td><td class="n">${n}</td></tr>`));
    }
    expect(html).toContain('10 statements withheld; 3 disclosed.');
    expect(html).toContain('Releasable to BE-CT only · up to RESTRICTED · disclosure #42');
    expect(html).toContain('H1 — 1 disclosed statement may not be used as evidence');
    expect(html).toContain('an entity not in this dossier');
    expect(html).not.toContain('FR-OP-SECRET-NAME'); // case compartments of the statements stay internal
  });

  it('allows no script and only its own style (by hash), with a print stylesheet', () => {
    expect(html).toMatch(/content="default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]{44}'; img-src data:; base-uri 'none'; form-action 'none'"/);
    expect(html).toContain('@page { size: A4;');
    expect(html).toContain('@media print');
  });
});
