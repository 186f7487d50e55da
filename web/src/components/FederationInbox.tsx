import { useEffect, useState } from 'react';
import type { DeconflictionNotice, FederationAnswerView, FederationHit, FederationRequest, Urgency } from '../api/federation';
import { navigate } from '../state/actions';
import { askForMore, decideNotice, loadCandidates, loadFederation, refuseRequest, releaseStatements, requestHit, useFederation } from '../state/federation-actions';
import { useAppState } from '../state/store';
import { handlingText } from './format';
import './federation.css';

const URGENCY_LABEL: Record<Urgency, string> = { urgent: 'urgent (8 hours)', normal: 'normal (3 days)', routine: 'routine (14 days)' };
const STATUS_LABEL: Record<FederationRequest['status'], string> = { open: 'waiting for an answer', released: 'released', refused: 'refused', 'more-info-needed': 'more information asked' };

function when(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** Time left to a deadline, or how long overdue (from the inbox's own clock). */
function dueText(r: FederationRequest, now: string): string {
  if (r.status !== 'open') return STATUS_LABEL[r.status];
  const ms = Date.parse(r.deadline) - Date.parse(now);
  const hours = Math.abs(ms) / 3_600_000;
  const span = hours >= 48 ? `${Math.round(hours / 24)} days` : `${Math.max(1, Math.round(hours))} h`;
  return ms >= 0 ? `due in ${span}` : `overdue by ${span}`;
}

/**
 * The federation inbox (issue 8): partners' requests to answer (deadlines, overdue ones highlighted,
 * escalation level), our own requests, answers received with the released statements and their
 * handling codes, hits both ways, and deconfliction notices. A hit only says "agency X may hold
 * something; ask": the Request button asks it.
 */
export function FederationInbox() {
  const session = useAppState((s) => s.session);
  const inbox = useFederation((s) => s.inbox);
  const loading = useFederation((s) => s.loading);
  const error = useFederation((s) => s.error);
  const done = useFederation((s) => s.done);
  const contextKey = `${session?.user.id ?? ''}|${session?.caseId ?? ''}|${session?.purpose ?? ''}`;
  useEffect(() => {
    void loadFederation();
  }, [contextKey]);
  const supervisor = session?.user.roles.some((r) => r === 'supervisor' || r === 'admin') ?? false;
  return (
    <section className="view federation-view">
      <div className="entity-header">
        <div>
          <h2>Federation</h2>
          <p className="small muted">{inbox ? `Inbox of ${inbox.agency} as of ${when(inbox.now)}` : loading ? 'Loading…' : ''}</p>
        </div>
        <button className="secondary" onClick={() => void loadFederation(true)} disabled={loading}>
          Refresh
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="audit-ok" role="status" data-testid="federation-done">
          {done}
        </p>
      )}
      {inbox && (
        <>
          <h3>Requests to answer ({inbox.requests.incoming.length})</h3>
          {inbox.requests.incoming.length === 0 && <p className="muted">No partner has asked.</p>}
          <ul className="fed-list" data-testid="fed-incoming">
            {inbox.requests.incoming.map((r) => (
              <IncomingRequest key={r.id} request={r} now={inbox.now} entityIds={inbox.hits.held.find((h) => h.id === r.hitId)?.subject.entityIds ?? []} />
            ))}
          </ul>

          <h3>Our requests ({inbox.requests.outgoing.length})</h3>
          {inbox.requests.outgoing.length > 0 && (
            <table className="fed-table" data-testid="fed-outgoing">
              <thead>
                <tr>
                  <th>To</th>
                  <th>Question</th>
                  <th>Urgency</th>
                  <th>Deadline</th>
                  <th>State</th>
                  <th>Case</th>
                </tr>
              </thead>
              <tbody>
                {inbox.requests.outgoing.map((r) => (
                  <tr key={r.id} className={r.overdue ? 'overdue' : undefined}>
                    <td>{r.holder}</td>
                    <td>{r.question}</td>
                    <td>{r.urgency}</td>
                    <td>{when(r.deadline)}</td>
                    <td>
                      {dueText(r, inbox.now)}
                      {r.level > 0 && <span className="badge escalation">escalation {r.level}</span>}
                    </td>
                    <td>{r.caseId}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}

          <h3>Answers received ({inbox.answers.length})</h3>
          <ul className="fed-list" data-testid="fed-answers">
            {inbox.answers.map((a) => (
              <AnswerCard key={`${a.requestId}-${a.at}`} answer={a} />
            ))}
          </ul>

          <h3>Hits on partners’ pointers ({inbox.hits.asked.length})</h3>
          <p className="small muted">A hit says only that the agency may hold something on the subject. Ask it to learn more.</p>
          <ul className="fed-list" data-testid="fed-hits">
            {inbox.hits.asked.map((h) => (
              <AskedHit key={h.id} hit={h} requested={inbox.requests.outgoing.filter((r) => r.hitId === h.id).length} />
            ))}
          </ul>

          <h3>Partners’ hits on our pointers ({inbox.hits.held.length})</h3>
          <table className="fed-table">
            <tbody>
              {inbox.hits.held.map((h) => (
                <tr key={h.id}>
                  <td>{h.asker}</td>
                  <td>
                    {h.subject.entityIds.length
                      ? h.subject.entityIds.map((id) => (
                          <button key={id} className="link" onClick={() => navigate('entity', id)}>
                            {id}
                          </button>
                        ))
                      : h.subject.label}
                  </td>
                  <td className="small">
                    {h.matchKind === 'name' ? `name, score ${h.score?.toFixed(2) ?? '–'}` : `${h.selectorKind ?? 'selector'} (PSI)`} · {h.purpose} · case {h.caseId}
                  </td>
                  <td className="small">{when(h.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>Deconfliction ({inbox.deconfliction.length})</h3>
          <ul className="fed-list" data-testid="fed-deconfliction">
            {inbox.deconfliction.map((n) => (
              <NoticeRow key={n.id} notice={n} supervisor={supervisor} />
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** A partner's request: deadline (overdue highlighted), escalation, and the holder's three answers. */
function IncomingRequest({ request: r, now, entityIds }: { request: FederationRequest; now: string; entityIds: string[] }) {
  const busy = useFederation((s) => s.busyId === r.id);
  const candidates = useFederation((s) => s.candidates[r.id]);
  const [mode, setMode] = useState<'none' | 'release' | 'refuse' | 'more'>('none');
  const [picked, setPicked] = useState<string[]>([]);
  const [grant, setGrant] = useState(false);
  const [text, setText] = useState('');
  const open = r.status === 'open';
  const start = (m: 'release' | 'refuse' | 'more') => {
    setMode(m);
    setText('');
    if (m === 'release' && !candidates) void loadCandidates(r.id, entityIds);
  };
  const finish = (ok: boolean) => {
    if (ok) setMode('none');
  };
  return (
    <li className={`card fed-request${r.overdue ? ' overdue' : ''}`} data-testid="fed-request">
      <p>
        <strong>{r.asker}</strong> asks ({URGENCY_LABEL[r.urgency]}): {r.question}
      </p>
      <p className="small muted">
        {r.purpose} · their case {r.caseId} · received {when(r.requestedAt)} · deadline <strong>{when(r.deadline)}</strong> — <span className={r.overdue ? 'overdue-text' : undefined}>{dueText(r, now)}</span>
        {r.level > 0 && <span className="badge escalation">escalation {r.level}</span>}
      </p>
      {entityIds.length > 0 && (
        <p className="small">
          Concerns{' '}
          {entityIds.map((id) => (
            <button key={id} className="link" onClick={() => navigate('entity', id)}>
              {id}
            </button>
          ))}
        </p>
      )}
      {open && mode === 'none' && (
        <div className="actions">
          <button onClick={() => start('release')} disabled={busy}>
            Answer: release…
          </button>
          <button className="secondary" onClick={() => start('more')} disabled={busy}>
            Ask for more…
          </button>
          <button className="secondary" onClick={() => start('refuse')} disabled={busy}>
            Refuse…
          </button>
        </div>
      )}
      {mode === 'release' && (
        <form
          className="fed-form"
          onSubmit={(e) => {
            e.preventDefault();
            void releaseStatements(r.id, picked, grant).then(finish);
          }}
        >
          {!candidates && <p className="muted small">Loading the statements you may release…</p>}
          {candidates && candidates.length === 0 && <p className="muted small">No statement you may read on these entities.</p>}
          {candidates && candidates.length > 0 && (
            <fieldset>
              <legend>Statements to release (their handling codes travel with them)</legend>
              {candidates.map((c) => (
                <label key={c.statementId} className="fed-candidate">
                  <input type="checkbox" checked={picked.includes(c.statementId)} onChange={(e) => setPicked(e.target.checked ? [...picked, c.statementId] : picked.filter((x) => x !== c.statementId))} />
                  <span>
                    {c.prop}: {c.value}
                  </span>
                  <span className="small muted">
                    {c.agency} · {handlingText(c.handling)}
                  </span>
                </label>
              ))}
            </fieldset>
          )}
          <label className="inline small">
            <input type="checkbox" checked={grant} onChange={(e) => setGrant(e.target.checked)} /> As originator, grant {r.asker} our statements not marked releasable to it
          </label>
          <div className="actions">
            <button type="submit" disabled={busy || picked.length === 0}>
              Release {picked.length || ''}
            </button>
            <button type="button" className="secondary" onClick={() => setMode('none')}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {(mode === 'refuse' || mode === 'more') && (
        <form
          className="fed-form"
          onSubmit={(e) => {
            e.preventDefault();
            void (mode === 'refuse' ? refuseRequest(r.id, text) : askForMore(r.id, text)).then(finish);
          }}
        >
          <label>
            {mode === 'refuse' ? 'Reason given to the partner' : 'Your question'}
            <textarea value={text} onChange={(e) => setText(e.target.value)} rows={2} minLength={5} required />
          </label>
          <div className="actions">
            <button type="submit" disabled={busy || text.trim().length < 5}>
              {mode === 'refuse' ? 'Refuse' : 'Ask'}
            </button>
            <button type="button" className="secondary" onClick={() => setMode('none')}>
              Cancel
            </button>
          </div>
        </form>
      )}
      {r.answers.map((a) => (
        <p key={a.at} className="small muted">
          {when(a.at)} {a.by ?? ''}: {a.outcome}
          {a.reason ? ` — ${a.reason}` : ''}
          {a.question ? ` — ${a.question}` : ''}
          {a.statementIds.length ? ` — ${a.statementIds.length} statement(s)` : ''}
          {a.withheld?.length ? `; ${a.withheld.length} kept back by handling codes` : ''}
        </p>
      ))}
    </li>
  );
}

/** An answer to one of our requests, with the statements released and their handling codes. */
function AnswerCard({ answer: a }: { answer: FederationAnswerView }) {
  return (
    <li className="card fed-answer">
      <p>
        <strong>{a.holder}</strong> {a.outcome === 'released' ? 'released' : a.outcome === 'refused' ? 'refused' : 'asks for more'} · {when(a.at)} · case {a.caseId}
      </p>
      {a.reason && <p>Reason: {a.reason}</p>}
      {a.question && <p>Question: {a.question}</p>}
      {a.statements.length > 0 && (
        <table className="fed-table">
          <tbody>
            {a.statements.map((s) => (
              <tr key={s.id}>
                <td>
                  <button className="link" onClick={() => navigate('entity', s.entityId)}>
                    {s.entityId}
                  </button>
                </td>
                <td>
                  {s.prop}: {s.value}
                </td>
                <td className="small">
                  {s.source.agency} · <span className={s.handling.codes.includes('H2') ? 'handling-h2' : undefined}>{handlingText(s.handling)}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {a.refusedOnReceipt && a.refusedOnReceipt.length > 0 && <p className="small error">Not kept (handling codes): {a.refusedOnReceipt.map((x) => x.message).join('; ')}</p>}
    </li>
  );
}

/** One of our hits, with the form to ask the holder. */
function AskedHit({ hit: h, requested }: { hit: FederationHit; requested: number }) {
  const busy = useFederation((s) => s.busyId === h.id);
  const [open, setOpen] = useState(false);
  const [urgency, setUrgency] = useState<Urgency>('normal');
  const [question, setQuestion] = useState('');
  return (
    <li className="card fed-hit">
      <p>
        <strong>{h.holder}</strong> may hold something on <em>{h.subject.label}</em>
      </p>
      <p className="small muted">
        {h.matchKind === 'name' ? `name match, Dice ${h.score?.toFixed(2) ?? '–'}` : `${h.selectorKind ?? 'selector'} held by both (PSI)`} · case {h.caseId} · {when(h.createdAt)}
        {requested > 0 && ` · ${requested} request(s) sent`}
      </p>
      {!open ? (
        <button onClick={() => setOpen(true)} disabled={busy}>
          Request…
        </button>
      ) : (
        <form
          className="fed-form"
          onSubmit={(e) => {
            e.preventDefault();
            void requestHit(h.id, urgency, question).then((ok) => ok && setOpen(false));
          }}
        >
          <label>
            Urgency
            <select value={urgency} onChange={(e) => setUrgency(e.target.value as Urgency)}>
              {(Object.keys(URGENCY_LABEL) as Urgency[]).map((u) => (
                <option key={u} value={u}>
                  {URGENCY_LABEL[u]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Question to {h.holder}
            <textarea value={question} onChange={(e) => setQuestion(e.target.value)} rows={2} minLength={5} required />
          </label>
          <div className="actions">
            <button type="submit" disabled={busy || question.trim().length < 5}>
              Send request
            </button>
            <button type="button" className="secondary" onClick={() => setOpen(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}

/** A deconfliction notice; a supervisor approves or declines one waiting for the holder's consent. */
function NoticeRow({ notice: n, supervisor }: { notice: DeconflictionNotice; supervisor: boolean }) {
  const busy = useFederation((s) => s.busyId === n.id);
  const [note, setNote] = useState('');
  return (
    <li className="card fed-notice">
      <p>
        <span className={`badge status-${n.status}`}>{n.status}</span> {n.status === 'received' ? `${n.partner} works the same subject` : n.reason}
      </p>
      <p className="small muted">
        agencies {n.agencies.join(', ')} · cases {n.caseIds.join(', ') || '–'} · contact {n.contact.unit} ({n.contact.channel}) · {n.consent}
      </p>
      {n.status === 'pending-approval' && supervisor && (
        <div className="actions">
          <input aria-label="Note" placeholder="Why (kept with the decision)" value={note} onChange={(e) => setNote(e.target.value)} />
          <button onClick={() => void decideNotice(n.id, true, note)} disabled={busy || note.trim().length < 5}>
            Approve and send
          </button>
          <button className="secondary" onClick={() => void decideNotice(n.id, false, note)} disabled={busy || note.trim().length < 5}>
            Decline
          </button>
        </div>
      )}
    </li>
  );
}
