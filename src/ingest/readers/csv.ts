import { parse } from 'csv-parse/sync';
import { TesseraError } from '../../model/index.js';
import { LineReader, type Line } from './lines.js';
import type { LineReaderOptions, RecordStream, SourceRecord } from './types.js';

export interface CsvOptions extends LineReaderOptions {
  /** Field delimiter (default `,`). */
  readonly delimiter?: string;
  /** First record names the columns (default true). */
  readonly header?: boolean;
  /** Column names when the file has no header. */
  readonly columns?: readonly string[];
  /** Trim white space around values (default true; FEBRL puts a space after every comma). */
  readonly trim?: boolean;
  /** Accept records with fewer or more cells than columns (missing cells read as empty; default false). */
  readonly relaxColumnCount?: boolean;
  /** Most physical lines one quoted record may span before its opening quote is judged unbalanced (default 100). */
  readonly maxRecordLines?: number;
}

/** Whether a CSV record that ends this line is still inside a quoted field (RFC 4180 §2: quotes open a field, `""` escapes). */
function endsInsideQuotes(text: string, delimiter: string, startInside: boolean): boolean {
  let inQuotes = startInside;
  let fieldStart = !startInside;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') i++;
        else inQuotes = false;
      }
    } else if (text.startsWith(delimiter, i)) {
      fieldStart = true;
      i += delimiter.length - 1;
      continue;
    } else if (ch === '"' && fieldStart) inQuotes = true;
    if (ch !== ' ') fieldStart = false;
  }
  return inQuotes;
}

/**
 * CSV records with line numbers, streamed. Record boundaries are found line by line (so one
 * unbalanced quote costs one quarantined line, not the rest of the file); records containing quotes
 * are parsed by csv-parse, quote-free records are split directly (identical by RFC 4180).
 */
export async function readCsv(file: string, options: CsvOptions = {}): Promise<RecordStream> {
  const delimiter = options.delimiter ?? ',';
  const trim = options.trim ?? true;
  const maxRecordLines = options.maxRecordLines ?? 100;
  const reader = new LineReader(file, options);
  let columns: string[] | undefined = options.columns ? [...options.columns] : undefined;
  const wantHeader = options.header ?? true;

  const splitRecord = (text: string): string[] | string => {
    if (text.indexOf('"') < 0) {
      const cells = text.split(delimiter);
      return trim ? cells.map((c) => c.trim()) : cells;
    }
    try {
      const rows = parse(text, { delimiter, relax_quotes: true, relax_column_count: true, trim, skip_empty_lines: false }) as string[][];
      if (rows.length !== 1) return `malformed CSV: expected one record, csv-parse read ${rows.length}`;
      return rows[0]!;
    } catch (e) {
      return `malformed CSV: ${(e as Error).message}`;
    }
  };

  async function* records(): AsyncGenerator<SourceRecord> {
    const pending: Line[] = [];
    const source = reader.lines()[Symbol.asyncIterator]();
    let exhausted = false;
    const next = async (): Promise<Line | undefined> => {
      if (pending.length > 0) return pending.shift();
      if (exhausted) return undefined;
      const r = await source.next();
      if (r.done) {
        exhausted = true;
        return undefined;
      }
      return r.value;
    };
    let headerPending = wantHeader && !columns;
    try {
      for (;;) {
        const first = await next();
        if (!first) break;
        if (first.error) {
          yield { line: first.line, raw: first.text, error: { reason: first.error } };
          continue;
        }
        if (first.text.trim().length === 0) continue;
        // Gather the physical lines of one logical record.
        const parts: Line[] = [first];
        let inside = first.text.indexOf('"') >= 0 && endsInsideQuotes(first.text, delimiter, false);
        let broken: string | undefined;
        while (inside) {
          if (parts.length >= maxRecordLines) {
            broken = `unbalanced quote: the quoted field opened on line ${first.line} is not closed within ${maxRecordLines} lines`;
            break;
          }
          const more = await next();
          if (!more) {
            broken = `unbalanced quote: the quoted field opened on line ${first.line} is not closed before the end of the file`;
            break;
          }
          parts.push(more);
          if (more.error) {
            broken = `line ${more.line} inside this record: ${more.error}`;
            break;
          }
          inside = endsInsideQuotes(more.text, delimiter, true);
        }
        if (broken) {
          // Quarantine the opening line alone and read the lines after it afresh.
          pending.unshift(...parts.slice(1));
          yield { line: first.line, raw: first.text, error: { reason: broken } };
          continue;
        }
        const raw = parts.length === 1 ? first.text : parts.map((p) => p.text).join('\n');
        const cells = splitRecord(raw);
        if (typeof cells === 'string') {
          yield { line: first.line, raw, error: { reason: cells } };
          continue;
        }
        if (headerPending) {
          headerPending = false;
          columns = cells.map((c) => c.trim());
          const dup = columns.find((c, i) => columns!.indexOf(c) !== i);
          if (dup !== undefined) throw new TesseraError('VALIDATION', `${file} line ${first.line}: header names column "${dup}" twice`, { record: `${file}:${first.line}`, field: dup });
          continue;
        }
        if (columns && cells.length !== columns.length && !options.relaxColumnCount) {
          yield { line: first.line, raw, error: { reason: `wrong column count: expected ${columns.length} (${columns.length > 6 ? `${columns.slice(0, 6).join(', ')}, …` : columns.join(', ')}), found ${cells.length}` } };
          continue;
        }
        yield { line: first.line, raw, values: cells };
      }
    } finally {
      // Closing early (interrupt, error) closes the file.
      await source.return(undefined);
    }
  }

  // Read up to the first data record so the header is known before any mapping runs.
  const it = records();
  const early: SourceRecord[] = [];
  for (;;) {
    const head = await it.next();
    if (head.done) break;
    early.push(head.value);
    if (columns || !wantHeader || early.length >= 1000) break;
  }
  async function* all(): AsyncGenerator<SourceRecord> {
    yield* early;
    yield* it;
  }
  return { columns: columns ? [...columns] : undefined, records: all(), bytesRead: () => reader.bytesRead() } as RecordStream;
}
