import { useState, type FormEvent } from 'react';

/**
 * A short form for a documented decision: the text is required (the server checks the minimum length
 * too and names the field when it refuses), then one of the given actions is sent with it.
 */
export function AssessmentForm({
  label,
  minLength,
  actions,
  busy,
  onCancel,
}: {
  label: string;
  minLength: number;
  actions: { label: string; className?: string; run: (text: string) => Promise<boolean> }[];
  busy: boolean;
  onCancel?: () => void;
}) {
  const [text, setText] = useState('');
  const [chosen, setChosen] = useState(0);
  const enough = text.trim().length >= minLength;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const action = actions[chosen];
    if (action && enough && (await action.run(text.trim()))) setText('');
  };
  return (
    <form className="assessment-form" onSubmit={(e) => void submit(e)}>
      <label>
        {label}
        <textarea value={text} onChange={(e) => setText(e.target.value)} rows={3} required minLength={minLength} />
      </label>
      <div className="actions">
        {!enough && <span className="muted small">at least {minLength} characters</span>}
        {actions.map((a, i) => (
          <button key={a.label} type="submit" className={a.className} disabled={busy || !enough} onClick={() => setChosen(i)}>
            {a.label}
          </button>
        ))}
        {onCancel && (
          <button type="button" className="secondary" onClick={onCancel}>
            Cancel
          </button>
        )}
      </div>
    </form>
  );
}
