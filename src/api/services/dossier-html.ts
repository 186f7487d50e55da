import { createHash } from 'node:crypto';
import { DISCLOSURE_WITHHELD_REASONS, withheldTotal, type Dossier, type DisclosureWithheldReason } from '../../governance/index.js';
import type { Entity } from '../../model/index.js';

/** Escapes text for HTML element content and quoted attribute values (OWASP XSS rule #1 and #2). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

/**
 * A safe download name: letters, digits, `_` and `-` only (no dots, slashes, backslashes, quotes or
 * control characters, so no path traversal and no header injection), at most 80 characters, with
 * the format's extension. Falls back to `fallback` when nothing is left.
 */
export function exportFileName(requested: string | undefined, fallback: string, ext: 'html' | 'pdf'): string {
  const clean = (s: string) =>
    s
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/\.(html?|pdf)$/i, '')
      .replace(/[^A-Za-z0-9_-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80)
      .replace(/-+$/, '');
  return `${clean(requested ?? '') || clean(fallback) || 'dossier'}.${ext}`;
}

/** What each withholding reason means, for the recipient (the rule, never the withheld content). */
export const WITHHELD_EXPLANATION: Readonly<Record<DisclosureWithheldReason, string>> = {
  classification: 'classified above the level the recipient is cleared to receive',
  releasability: 'the originator has not released them to the recipient (releasable-to)',
  H2: 'H2: received from a partner, no further dissemination without the originator’s consent',
  H3: 'H3: the originator’s conditions require a person to obtain consent first',
};

/** Print stylesheet: A4, black on white, tables that do not split rows, the marking repeated on screen. */
const STYLE = `
@page { size: A4; margin: 16mm 14mm 18mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm 0; }
h1 { font-size: 17pt; margin: 4mm 0 2mm; }
h2 { font-size: 13pt; margin: 7mm 0 2mm; border-bottom: 1px solid #999; padding-bottom: 1mm; }
h3 { font-size: 11.5pt; margin: 5mm 0 1.5mm; }
.marking { border: 2px solid #111; text-align: center; font-weight: bold; letter-spacing: .04em; padding: 1.5mm; text-transform: uppercase; font-size: 9.5pt; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .6mm 5mm; margin: 2mm 0 4mm; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
table { border-collapse: collapse; width: 100%; margin: 1mm 0 3mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.6mm; text-align: left; vertical-align: top; }
thead th { background: #eee; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.value { width: 26%; overflow-wrap: anywhere; }
.muted { color: #555; }
.small { font-size: 8.5pt; }
.entity { break-inside: avoid-page; }
.caveat { border-left: 3px solid #111; padding-left: 3mm; }
.withheld-total { font-weight: bold; }
@media print { body { padding: 0; max-width: none; } a { color: inherit; text-decoration: none; } }
`;

/** The CSP of the dossier document itself: no script at all, no fetches, only its own inline style (by hash). */
function documentCsp(): string {
  const hash = createHash('sha256').update(STYLE).digest('base64');
  return `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; base-uri 'none'; form-action 'none'`;
}

const e = escapeHtml;

/** The marking repeated at the top of every page of the PDF (plain text; the PDF header escapes it). */
export function dossierMarking(d: Dossier): string {
  return `Releasable to ${d.recipient.agency} only · up to ${d.recipient.clearance} · disclosure #${d.auditSeq}`;
}

function seen(first: string | undefined, last: string | undefined): string {
  if (first && last && first !== last) return `${first} – ${last}`;
  return first ?? last ?? '';
}

function entitySection(x: Entity, subjectId: string | undefined): string {
  const rows: string[] = [];
  for (const [prop, values] of Object.entries(x.properties).sort(([a], [b]) => a.localeCompare(b))) {
    const propRows = values.reduce((n, v) => n + v.provenance.length, 0);
    values.forEach((v, j) => {
      v.provenance.forEach((p, i) => {
        const grading = `${p.grading.system === 'ADMIRALTY' ? 'adm:' : ''}${p.grading.source}${p.grading.info}`;
        const propCell = i === 0 && j === 0 ? `<th scope="row" rowspan="${propRows}">${e(prop)}${x.conflicts.includes(prop) ? '<br><span class="muted small">agencies disagree</span>' : ''}</th>` : '';
        rows.push(
          `<tr>${propCell}${i === 0 ? `<td class="value" rowspan="${v.provenance.length}">${e(v.value)}</td>` : ''}` +
            `<td>${e(p.agency)}${p.documentId ? `<br><span class="muted small">${e(p.documentId)}</span>` : ''}</td><td>${e(grading)}</td>` +
            `<td>${e(p.handling.codes.join(' ') || '—')}</td><td>${e(p.classification)}</td><td>${e(p.nature)}</td><td>${e(seen(p.firstSeen, p.lastSeen) || p.collectedAt.slice(0, 10))}</td></tr>`,
        );
      });
    });
  }
  return `<article class="entity" id="${e(x.id)}">
<h3>${e(x.caption)} <span class="muted small">${e(x.schema)} · ${e(x.id)}${x.id === subjectId ? ' · subject' : ''}</span></h3>
<p class="muted small">Sources: ${e(x.agencies.join(', '))} · ${x.statementCount} statement${x.statementCount === 1 ? '' : 's'} disclosed${x.firstSeen || x.lastSeen ? ` · seen ${e(seen(x.firstSeen, x.lastSeen))}` : ''}</p>
<table><thead><tr><th>Property</th><th>Value</th><th>Source</th><th>Grading</th><th>Handling</th><th>Classification</th><th>Nature</th><th>Seen / collected</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
</article>`;
}

function linksSection(d: Dossier): string {
  if (d.links.length === 0) return '';
  const rows = d.links.map((l) => {
    const ends = l.ends.map((x) => `${e(x.role)}: ${x.caption !== undefined ? e(x.caption) : '<span class="muted">an entity not in this dossier</span>'}`).join('<br>');
    return `<tr><td>${e(l.entity.schema)}</td><td>${ends || '<span class="muted">ends not disclosed</span>'}</td><td>${e(seen(l.startDate, l.endDate))}</td><td>${e(l.entity.agencies.join(', '))}</td></tr>`;
  });
  return `<section class="links"><h2>Links (${d.links.length})</h2>
<table><thead><tr><th>Link</th><th>Between</th><th>When</th><th>Sources</th></tr></thead><tbody>${rows.join('\n')}</tbody></table></section>`;
}

/**
 * Renders a redacted dossier as one self-contained HTML document (no script, no external resource;
 * every value escaped), printable as is or through Chromium into PDF. It carries the recipient
 * marking, what was withheld as counts per reason with the rule behind each reason, and the
 * caveats of what was disclosed.
 */
export function renderDossierHtml(d: Dossier): string {
  const total = withheldTotal(d.withheld);
  const withheldRows = DISCLOSURE_WITHHELD_REASONS.map(
    (r) => `<tr data-reason="${r}"><th scope="row">${e(r)}</th><td>${e(WITHHELD_EXPLANATION[r])}</td><td class="n">${d.withheld[r]}</td></tr>`,
  ).join('\n');
  const caveats: string[] = [];
  if (d.caveats.H1) caveats.push(`<p class="caveat">H1 — ${d.caveats.H1} disclosed statement${d.caveats.H1 === 1 ? '' : 's'} may not be used as evidence in judicial proceedings without the originator’s consent.</p>`);
  if (d.caveats.H2) caveats.push(`<p class="caveat">H2 — ${d.caveats.H2} disclosed statement${d.caveats.H2 === 1 ? '' : 's'} may not be disseminated beyond ${e(d.recipient.agency)} without the originator’s consent.</p>`);
  const entities = d.entities.map((x) => entitySection(x, d.subjectId)).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${documentCsp()}">
<meta name="referrer" content="no-referrer">
<title>${e(d.title)} — for ${e(d.recipient.agency)}</title>
<style>${STYLE}</style>
</head>
<body>
<div class="marking">${e(dossierMarking(d))}</div>
<h1>${e(d.title)}</h1>
<dl class="meta">
<dt>Recipient</dt><dd>${e(d.recipient.name)} (${e(d.recipient.agency)}, ${e(d.recipient.country)}), cleared up to ${e(d.recipient.clearance)}</dd>
<dt>Prepared by</dt><dd>${e(d.preparedBy.name)} (${e(d.preparedBy.userId)}), ${e(d.preparedBy.agency)}</dd>
<dt>Case</dt><dd>${e(d.case.name)} (${e(d.case.id)})</dd>
<dt>Purpose</dt><dd>${e(d.purpose)}</dd>
<dt>Generated</dt><dd>${e(d.generatedAt)}</dd>
<dt>Disclosure log</dt><dd>entry #${d.auditSeq} of ${e(d.preparedBy.agency)}’s audit chain</dd>
</dl>
<section class="withheld" data-testid="withheld">
<h2>Withheld from this dossier</h2>
<p class="withheld-total">${total} statement${total === 1 ? '' : 's'} withheld; ${d.released} disclosed.</p>
<p class="muted small">Counts only: the content of withheld statements is not in this document. Ask the originator for consent where a reason allows it.</p>
<table><thead><tr><th>Reason</th><th>Rule</th><th>Statements</th></tr></thead><tbody>
${withheldRows}
</tbody></table>
${d.omittedEntities ? `<p>${d.omittedEntities} further entit${d.omittedEntities === 1 ? 'y' : 'ies'} of the case ${d.omittedEntities === 1 ? 'is' : 'are'} not included (size limit of one dossier).</p>` : ''}
</section>
${caveats.length ? `<section class="caveats"><h2>Handling caveats</h2>${caveats.join('\n')}</section>` : ''}
<section class="entities"><h2>Entities (${d.entities.length})</h2>
${entities || '<p class="muted">Nothing about the entities in scope may be disclosed to this recipient.</p>'}
</section>
${linksSection(d)}
<p class="muted small">Every value lists its source agency, document, grading (source reliability and information credibility), handling codes and classification as marked by the originator.</p>
</body>
</html>
`;
}
