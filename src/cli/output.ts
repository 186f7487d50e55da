/** Writes a line to stdout. */
export function say(line = ''): void {
  process.stdout.write(`${line}\n`);
}

/** Prints JSON (for --json). */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

function width(s: string): number {
  return [...s].length;
}

/** Prints rows as an aligned plain-text table; long cells are cut with an ellipsis. */
export function printTable(rows: readonly Record<string, unknown>[], columns?: readonly string[], maxCell = 60): void {
  if (rows.length === 0) {
    say('(none)');
    return;
  }
  const cols = columns ?? Object.keys(rows[0]!);
  const cell = (v: unknown) => {
    const s = v === undefined || v === null ? '' : Array.isArray(v) ? v.join(', ') : String(v);
    const flat = s.replace(/\s+/g, ' ');
    return width(flat) > maxCell ? `${[...flat].slice(0, maxCell - 1).join('')}…` : flat;
  };
  const cells = rows.map((r) => cols.map((c) => cell(r[c])));
  const widths = cols.map((c, i) => Math.max(width(c), ...cells.map((r) => width(r[i]!))));
  const line = (vals: readonly string[]) => vals.map((v, i) => v + ' '.repeat(widths[i]! - width(v))).join('  ').trimEnd();
  say(line(cols));
  say(line(widths.map((w) => '-'.repeat(w))));
  for (const r of cells) say(line(r));
}
