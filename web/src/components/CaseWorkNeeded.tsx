import { openContextChooser } from '../state/actions';

/** Shown instead of a case view in an oversight session: the view is case work and needs a case. */
export function CaseWorkNeeded({ label }: { label: string }) {
  return (
    <section className="view case-work-needed" data-testid="case-work-needed">
      <h2>{label} is case work</h2>
      <p>
        This session is oversight work without a case: only the audit log and the DPO report open in it. Searching, profiles, maps, watchlists and every
        other case view need a case you are a member of, and each read is logged against it.
      </p>
      <button onClick={() => openContextChooser(true)}>Choose a case</button>
    </section>
  );
}
