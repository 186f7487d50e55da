import type { Provenance } from '../api/types';
import { gradingCode, gradingTitle, handlingText, seenRange } from './format';

/** Where one value comes from: agency, grading, handling, classification, nature, dates, document. */
export function ProvenanceChips({ p }: { p: Provenance }) {
  return (
    <div className="provenance">
      <span className="chip agency" title="Source agency">
        {p.agency}
      </span>
      <span className="chip grading" title={gradingTitle(p.grading)}>
        {gradingCode(p.grading)}
      </span>
      <span className={p.handling.codes.length ? 'chip handling restricted' : 'chip handling'} title="Handling code (set by the originator)">
        {handlingText(p.handling)}
      </span>
      <span className="chip classification">{p.classification}</span>
      <span className="chip nature">{p.nature}</span>
      {(p.firstSeen || p.lastSeen) && <span className="chip seen">seen {seenRange(p.firstSeen, p.lastSeen)}</span>}
      <span className="muted small" title="Collected at">
        {p.documentId ? `${p.documentId} · ` : ''}
        {p.collectedAt.slice(0, 10)}
      </span>
      {p.original && <span className="muted small">as received: “{p.original}”</span>}
    </div>
  );
}
