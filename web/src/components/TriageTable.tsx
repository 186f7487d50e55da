import { Fragment } from 'react';
import type { TriageAssignment, TriageEvidenceRef, TriagePlan, TriageSubject } from '../api/triage';
import { setChange, toggleExplanation, useTriage } from '../state/triage-actions';

const profile = (id: string) => `#/entity/${encodeURIComponent(id)}`;
const has = (s: TriageSubject, signal: string) => s.contributions.some((c) => c.signal === signal);

/**
 * The ranked subjects: risk, flags (risk rose since the last decision, quiet, recent hits, resolved
 * across records), the main reasons, and — with a plan — the proposed measure, which a supervisor
 * may change. Each row expands to its explanation: every signal with its weight and evidence, and
 * the signals that could not be judged.
 */
export function TriageTable({ subjects, plan, editable }: { subjects: readonly TriageSubject[]; plan: TriagePlan | undefined; editable: boolean }) {
  const expanded = useTriage((s) => s.expanded);
  const changes = useTriage((s) => s.changes);
  const decided = useTriage((s) => (plan && s.decided?.planId === plan.id ? s.decided : undefined));
  // Once decided, the table shows the allocation as decided (read-only).
  const assigned = new Map<string, Pick<TriageAssignment, 'measure' | 'team'>>((decided?.allocation ?? plan?.plan.assignments ?? []).map((a) => [a.subject, a]));
  const canEdit = editable && !decided;
  const measures = plan ? [...plan.capacity.partial.map((m) => m.id), 'full'] : [];
  const teams = plan?.capacity.teams.map((t) => t.id) ?? [];
  return (
    <table className="triage-table" data-testid="triage-table">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Risk</th>
          <th scope="col">Subject</th>
          <th scope="col">Flags</th>
          <th scope="col">Main reasons</th>
          {plan && <th scope="col">Measure</th>}
          <th scope="col">
            <span className="visually-hidden">Explanation</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {subjects.map((s) => {
          const a = assigned.get(s.subject);
          const change = changes[s.subject];
          const measure = change?.measure ?? a?.measure ?? 'none';
          const team = change?.team ?? a?.team ?? teams[0] ?? '';
          const open = expanded[s.subject] === true;
          return (
            <Fragment key={s.subject}>
              <tr className={`${s.rose ? 'rose' : ''} ${change ? 'changed' : ''}`} data-subject={s.subject}>
                <td>{s.rank}</td>
                <td className="risk">
                  <span className="risk-value">{s.risk.toFixed(3)}</span>
                  {/* √risk: low risks stay visible beside the few high ones */}
                  <meter className="risk-bar" min={0} max={1} value={Math.sqrt(s.risk)} aria-hidden="true" />
                </td>
                <td>
                  <a href={profile(s.subject)}>{s.label}</a>
                  {s.entityIds.length > 1 && (
                    <span className="badge" title={s.entityIds.join(', ')}>
                      {s.entityIds.length} records
                    </span>
                  )}
                </td>
                <td>
                  <span className="flags">
                    {s.rose && (
                      <span className="flag rose" title={`risk rose from ${s.rose.from.toFixed(3)} since decision ${s.rose.decision}`}>
                        ↑ rose since last decision
                      </span>
                    )}
                    {has(s, 'quiet') && (
                      <span className="flag quiet" title="visible activity dropped sharply: this raises attention">
                        quiet
                      </span>
                    )}
                    {has(s, 'recentHits') && <span className="flag hits">watchlist hit</span>}
                  </span>
                </td>
                <td className="reasons">{s.contributions.slice(0, 2).map((c) => c.label).join(' · ') || <span className="muted">no signal</span>}</td>
                {plan && (
                  <td className="measure">
                    {canEdit ? (
                      <span className="measure-edit">
                        <select aria-label={`Measure for ${s.label}`} value={measure} onChange={(e) => setChange(s.subject, e.target.value, team)}>
                          <option value="none">none</option>
                          {measures.map((m) => (
                            <option key={m} value={m}>
                              {m}
                            </option>
                          ))}
                        </select>
                        {measure !== 'none' && (
                          <select aria-label={`Team for ${s.label}`} value={team} onChange={(e) => setChange(s.subject, measure, e.target.value)}>
                            {teams.map((t) => (
                              <option key={t} value={t}>
                                {t}
                              </option>
                            ))}
                          </select>
                        )}
                      </span>
                    ) : measure === 'none' ? (
                      <span className="muted">uncovered</span>
                    ) : (
                      `${measure} @${team}`
                    )}
                  </td>
                )}
                <td>
                  <button className="link" aria-expanded={open} onClick={() => void toggleExplanation(s.subject, s.contributions.flatMap((c) => c.evidence))}>
                    {open ? 'Hide' : 'Why?'}
                  </button>
                </td>
              </tr>
              {open && (
                <tr className="explanation-row">
                  <td colSpan={plan ? 7 : 6}>
                    <Explanation subject={s} />
                  </td>
                </tr>
              )}
            </Fragment>
          );
        })}
      </tbody>
    </table>
  );
}

/** One subject's reasons: each signal's share of the log-odds, its summary and the evidence behind it. */
function Explanation({ subject }: { subject: TriageSubject }) {
  const evidence = useTriage((s) => s.evidence);
  return (
    <div className="triage-explanation" data-testid={`explanation-${subject.subject}`}>
      {subject.entityIds.length > 1 && (
        <p className="small">
          Resolved across {subject.entityIds.length} records:{' '}
          {subject.entityIds.map((id) => (
            <a key={id} className="chip" href={profile(id)}>
              {id}
            </a>
          ))}
        </p>
      )}
      {subject.rose && (
        <p className="small rose-note">
          Risk rose from {subject.rose.from.toFixed(3)} to {subject.risk.toFixed(3)} since decision {subject.rose.decision}.
        </p>
      )}
      <table className="signals">
        <thead>
          <tr>
            <th scope="col">Signal</th>
            <th scope="col">Adds (log-odds)</th>
            <th scope="col">What was found</th>
            <th scope="col">Evidence</th>
          </tr>
        </thead>
        <tbody>
          {subject.contributions.map((c) => (
            <tr key={c.signal}>
              <th scope="row">{c.label}</th>
              <td className="num">
                +{c.logit.toFixed(2)}
                <span className="muted small">
                  {' '}
                  ({c.weight} × {c.value.toFixed(2)})
                </span>
              </td>
              <td>{c.summary}</td>
              <td className="evidence">
                {evidenceLinks(c.evidence, evidence).map((l) =>
                  l.href ? (
                    <a key={l.key} className={`chip ${l.kind}`} href={l.href} title={l.title}>
                      {l.text}
                    </a>
                  ) : (
                    <span key={l.key} className="chip" title={l.title}>
                      {l.text}
                    </span>
                  ),
                )}
              </td>
            </tr>
          ))}
          {subject.contributions.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                No signal present: the risk is the base rate.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      {subject.missing.length > 0 && (
        <p className="small missing">
          Not judged for lack of data (never read as clearance):{' '}
          {subject.missing.map((m) => (
            <span key={m.signal} className="chip" title={m.reason}>
              {m.signal}: {m.reason}
            </span>
          ))}
        </p>
      )}
    </div>
  );
}

/**
 * Evidence as links, one per thing cited: statements by the entity (profile) they belong to,
 * `hit:` references to the hits inbox, call and other entity ids to their profile, the rest as text.
 */
function evidenceLinks(ids: readonly string[], known: Readonly<Record<string, TriageEvidenceRef>>): { key: string; href?: string; text: string; title: string; kind: string }[] {
  const out = new Map<string, { key: string; href?: string; text: string; title: string; kind: string; count: number }>();
  const add = (key: string, link: { href?: string; text: string; title: string; kind: string }) => {
    const cur = out.get(key);
    if (cur) cur.count++;
    else out.set(key, { key, ...link, count: 1 });
  };
  for (const id of ids) {
    const ref = known[id];
    if (ref) add(`e:${ref.entityId}`, { href: profile(ref.entityId), text: `${ref.schema} ${ref.entityId}`, title: `statement ${id} (${ref.schema}.${ref.prop})`, kind: 'entity' });
    else if (id.startsWith('hit:')) add(id, { href: `#/hits/${encodeURIComponent(id.slice(4))}`, text: id, title: 'watchlist hit report', kind: 'hit' });
    else if (id.startsWith('alert:') || id.startsWith('decision:')) add(id, { text: id, title: id, kind: 'ref' });
    else if (id.includes(':')) add(`e:${id}`, { href: profile(id), text: id, title: `record ${id}`, kind: 'entity' });
    else add(id, { text: `${id.slice(0, 10)}…`, title: `statement ${id} (not readable by you, or still loading)`, kind: 'statement' });
  }
  return [...out.values()].map(({ count, ...l }) => (count > 1 ? { ...l, text: `${l.text} ×${count}` } : l));
}
