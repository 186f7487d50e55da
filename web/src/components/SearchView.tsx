import type { FormEvent } from 'react';
import { editSearch, navigate, runSearch } from '../state/actions';
import { useAppState } from '../state/store';
import { seenRange } from './format';

/** Search with filters (schema, agency, dates, grading); typo-tolerant on the server. */
export function SearchView() {
  const search = useAppState((s) => s.search);
  const meta = useAppState((s) => s.meta);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void runSearch();
  };
  return (
    <section className="view search-view">
      <form className="search-form" onSubmit={submit} role="search">
        <input
          className="search-input"
          name="q"
          aria-label="Search names, numbers, documents"
          placeholder="Search names, phones, documents… (typos allowed)"
          value={search.query}
          onChange={(e) => editSearch({ query: e.target.value })}
          autoFocus
        />
        <button type="submit" disabled={search.loading}>
          {search.loading ? 'Searching…' : 'Search'}
        </button>
        <div className="filters">
          <label>
            Type
            <select name="schema" value={search.schema} onChange={(e) => editSearch({ schema: e.target.value })}>
              <option value="">any</option>
              {meta?.schemas.map((s) => (
                <option key={s.name} value={s.name}>
                  {s.label}
                </option>
              ))}
            </select>
          </label>
          <label>
            Agency
            <select name="agency" value={search.agency} onChange={(e) => editSearch({ agency: e.target.value })}>
              <option value="">any</option>
              {meta?.agencies.map((a) => (
                <option key={a.id} value={a.id}>
                  {a.id}
                </option>
              ))}
            </select>
          </label>
          <label>
            Seen from
            <input name="from" type="date" value={search.from} onChange={(e) => editSearch({ from: e.target.value })} />
          </label>
          <label>
            to
            <input name="to" type="date" value={search.to} onChange={(e) => editSearch({ to: e.target.value })} />
          </label>
          <label>
            Grading at least
            <select name="grading" value={search.grading} onChange={(e) => editSearch({ grading: e.target.value })}>
              <option value="">any</option>
              {['A1', 'A2', 'B2', 'B3', 'C3'].map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        </div>
      </form>
      {search.error && (
        <p className="error" role="alert">
          {search.error}
        </p>
      )}
      {search.results && (
        <div className="results">
          <p className="muted small">
            {search.results.length} result{search.results.length === 1 ? '' : 's'} · {search.tookMs} ms · only what you may read in this case is shown
          </p>
          <ol className="result-list">
            {search.results.map((r) => (
              <li key={r.entityId}>
                <button className="result" onClick={() => navigate('entity', r.entityId)}>
                  <span className="caption">{r.caption}</span>
                  <span className="badge schema">{r.schema}</span>
                  {r.match === 'fuzzy' && (
                    <span className="badge fuzzy" title={`similar spelling (score ${r.score})`}>
                      ≈ similar
                    </span>
                  )}
                  <span className="agencies">{r.agencies.join(' · ')}</span>
                  <span className="muted small">{seenRange(r.firstSeen, r.lastSeen)}</span>
                  <span className="matched small">{r.matched.map((m) => `${m.prop}: ${m.value}`).join(' | ')}</span>
                </button>
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
